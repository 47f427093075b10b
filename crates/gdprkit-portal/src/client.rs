//! Who a request comes from, for the rate limits: the socket's peer, or the address a trusted
//! reverse proxy names in `X-Forwarded-For`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// The client's address as the rate limits count it.
pub fn address(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    // The socket's peer, as `serve` records it (or a test's `MockConnectInfo`).
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
        .or_else(|| parts.extensions.get::<MockConnectInfo<SocketAddr>>().map(|MockConnectInfo(a)| a.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let peer = peer.to_canonical();
    let client = if trusted_proxies.iter().any(|p| p.to_canonical() == peer) {
        forwarded(&parts.headers).map_or(peer, |a| a.to_canonical())
    } else {
        peer
    };
    network(client)
}

/// The address the limits count: an IPv4 address as it is, an IPv6 address by its /64 (the
/// smallest network one holder is usually given, who could otherwise take a new address for
/// each attempt).
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// The address the proxy saw: the last of `X-Forwarded-For` (the ones before it are what the
/// client itself claimed).
fn forwarded(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    value.rsplit(',').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut builder = Request::builder().uri("/");
        if let Some(v) = xff {
            builder = builder.header("x-forwarded-for", v);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        parts.extensions.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    #[test]
    fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let claimed = parts("10.0.0.1:5000", Some("1.1.1.1, 203.0.113.7"));
        assert_eq!(address(&claimed, &[proxy]), "203.0.113.7".parse::<IpAddr>().unwrap());
        assert_eq!(address(&claimed, &[]), proxy, "no trusted proxy: the socket's peer");
        let direct = parts("198.51.100.2:5000", Some("203.0.113.7"));
        assert_eq!(address(&direct, &[proxy]), "198.51.100.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_ipv6_client_counts_by_its_network_and_a_mapped_address_as_ipv4() {
        let a = parts("[2001:db8:1:2:aaaa::1]:5000", None);
        let b = parts("[2001:db8:1:2:bbbb::9]:5000", None);
        assert_eq!(address(&a, &[]), address(&b, &[]), "one /64, one bucket");
        assert_ne!(address(&a, &[]), address(&parts("[2001:db8:1:3::1]:5000", None), &[]));
        let mapped = parts("[::ffff:10.0.0.1]:5000", Some("203.0.113.7"));
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(address(&mapped, &[proxy]), client, "the proxy, as a server listening on [::] sees it");
    }
}
