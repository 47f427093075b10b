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
    if trusted_proxies.contains(&peer) { forwarded(&parts.headers).unwrap_or(peer) } else { peer }
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
}
