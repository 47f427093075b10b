//! What the integrator sets: the name, logo and colours the pages show, where overriding
//! templates live, how client addresses are read behind a proxy, and the rate limits.

use std::net::IpAddr;
use std::path::PathBuf;

/// The portal's settings. `PortalSettings::new("Acme")` gives the defaults.
#[derive(Debug, Clone)]
pub struct PortalSettings {
    /// The controller's name as the pages show it.
    pub name: String,
    /// The address of a logo image (served by the integrator, `https:` or a path on this origin).
    pub logo_url: Option<String>,
    /// The colours of the pages.
    pub colours: Colours,
    /// A directory whose templates replace the embedded ones of the same name.
    pub templates_dir: Option<PathBuf>,
    /// The origin the portal is reached at (`https://privacy.example.com`), for the CSRF check of
    /// browsers that send no `Sec-Fetch-Site`; the request's `Host` when absent.
    pub public_origin: Option<String>,
    /// The reverse proxies whose `X-Forwarded-For` names the client; the socket's peer otherwise.
    pub trusted_proxies: Vec<IpAddr>,
    /// Whether cookies are marked `Secure` (served over HTTPS); `true` unless turned off for a
    /// portal reached over plain HTTP on loopback.
    pub secure_cookies: bool,
    /// Token lookups (following a request, an unsubscribe reference, a confirmation code) per
    /// client.
    pub lookups: RateLimit,
    /// Requests submitted per client.
    pub submissions: RateLimit,
}

impl PortalSettings {
    /// The defaults, for a controller named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PortalSettings {
            name: name.into(),
            logo_url: None,
            colours: Colours::default(),
            templates_dir: None,
            public_origin: None,
            trusted_proxies: Vec::new(),
            secure_cookies: true,
            lookups: RateLimit { burst: 10, per_minute: 10 },
            submissions: RateLimit { burst: 3, per_minute: 1 },
        }
    }
}

/// The colours of the pages, as CSS colours (`#1d4ed8`). The defaults pass WCAG AA contrast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colours {
    /// Links, buttons and the header's rule.
    pub accent: String,
    /// Text.
    pub text: String,
    /// The page's background.
    pub background: String,
}

impl Default for Colours {
    fn default() -> Self {
        Colours { accent: "#1d4ed8".into(), text: "#1f2937".into(), background: "#ffffff".into() }
    }
}

/// How many requests of one kind a client may make: `burst` at once, then `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests regained per minute.
    pub per_minute: u32,
}
