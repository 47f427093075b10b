//! `gdprkit serve`: the portal on an address, until Ctrl-C or SIGTERM.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use gdprkit_portal::PortalSettings;

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, listen: SocketAddr, settings: PortalSettings) -> CliResult<ExitCode> {
    // One line per request on stderr; the portal's own lines say nothing of tokens or people.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    let gdpr = ctx.gdpr(false)?;
    let app = gdprkit_portal::router(gdpr, settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        // Printed for whoever started it (a test, a supervisor) to know the port it got.
        println!("gdprkit portal listening on http://{}", listener.local_addr()?);
        gdprkit_portal::serve(listener, app, stopped()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
