//! One log line per request: the method, the route as declared (`/r/{token}`, never the path
//! that carries a token), the status and the time taken. No address, no query, no token, no
//! personal data.

use std::time::Instant;

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Logs the request once answered, at `info` (`warn` for a server error).
pub async fn requests(request: Request<Body>, next: Next) -> Response {
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or("(no route)", |p| p.as_str()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    // Milliseconds, to a tenth.
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    if response.status().is_server_error() {
        tracing::warn!(target: "gdprkit_portal", %method, route, status, ms, "request");
    } else {
        tracing::info!(target: "gdprkit_portal", %method, route, status, ms, "request");
    }
    response
}
