//! `gdprkit serve`: the portal on an address, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use gdprkit_portal::PortalSettings;

use super::export::smtp_settings;
use crate::context::{CliResult, Context};

/// What the portal serves beyond the pages: copies to download, and mail sent at once.
pub struct Served {
    /// The data map of the CRM's tables, for the copies.
    pub map: Option<PathBuf>,
    /// Days a copy stays downloadable.
    pub download_days: Option<u32>,
    /// The SMTP server.
    pub smtp: Option<String>,
}

pub fn run(ctx: &Context, listen: SocketAddr, settings: PortalSettings, served: Served) -> CliResult<ExitCode> {
    // One line per request on stderr (the log main installed); the portal's own lines say
    // nothing of tokens or people.
    ctx.existing()?;
    let mut config = ctx.config();
    if let Some(map) = &served.map {
        ctx.add_crm(&mut config, map)?;
        config.pdf = Some(true);
    }
    if let Some(url) = served.smtp {
        config.smtp = Some(smtp_settings("--smtp", url)?);
    }
    let mut gdpr = ctx.open(&config)?;
    if let Some(days) = served.download_days {
        gdpr = gdpr.to_builder().download_days(days).build()?;
    }
    // The portal's public origin is where mailed links lead, and its name the controller's,
    // unless the configuration names them otherwise.
    let mut controller = gdpr.controller().clone();
    if controller.portal.is_none() {
        controller.portal.clone_from(&settings.public_origin);
    }
    if controller.name == gdprkit::Controller::default().name {
        controller.name.clone_from(&settings.name);
    }
    if &controller != gdpr.controller() {
        gdpr = gdpr.to_builder().controller(controller).build()?;
    }
    let expiring = gdpr.clone();
    let app = gdprkit_portal::router(gdpr, settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        // Printed for whoever started it (a test, a supervisor) to know the port it got.
        println!("gdprkit portal listening on http://{}", listener.local_addr()?);
        tokio::spawn(expire_hourly(expiring));
        gdprkit_portal::serve(listener, app, stopped()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Expires the submissions not confirmed in time, at start and then every hour, so that their
/// content goes even when no one submits.
async fn expire_hourly(gdpr: gdprkit::Gdpr) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let g = gdpr.clone();
        match tokio::task::spawn_blocking(move || g.expire_submissions()).await {
            Ok(Ok(n)) if n > 0 => tracing::info!(expired = n, "unconfirmed submissions expired"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(code = e.code(), "expiring submissions failed"),
            Err(_) => tracing::error!("expiring submissions stopped"),
        }
    }
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
