//! Links the addon as Node expects, when the `node` feature builds it.

fn main() {
    #[cfg(feature = "node")]
    napi_build::setup();
}
