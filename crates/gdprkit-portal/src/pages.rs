//! The pages: minijinja templates embedded in the crate, each replaceable by a file of the same
//! name in the integrator's directory, rendered with HTML escaping of every value.

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{AutoEscape, Environment, Value};

use crate::lang::Lang;
use crate::settings::PortalSettings;

/// The embedded templates, by name.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("follow.html", include_str!("../templates/follow.html")),
    ("opening.html", include_str!("../templates/opening.html")),
    ("request.html", include_str!("../templates/request.html")),
    ("unsubscribe.html", include_str!("../templates/unsubscribe.html")),
    ("unsubscribed.html", include_str!("../templates/unsubscribed.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("submit.html", include_str!("../templates/submit.html")),
    ("submitted.html", include_str!("../templates/submitted.html")),
    ("confirm.html", include_str!("../templates/confirm.html")),
    ("choices.html", include_str!("../templates/choices.html")),
    ("portal.css", include_str!("../templates/portal.css")),
];

/// The template environment and what every page shows.
pub struct Pages {
    env: Environment<'static>,
    site: Value,
}

impl Pages {
    /// The templates, the integrator's directory first.
    pub fn new(settings: &PortalSettings) -> gdprkit::Result<Pages> {
        let mut env = Environment::new();
        let dir = settings.templates_dir.clone();
        if let Some(d) = &dir
            && !d.is_dir()
        {
            return Err(gdprkit::Error::config(
                "templates_dir",
                format!("{} is not a directory of templates", d.display()),
            ));
        }
        env.set_loader(move |name| load(dir.as_ref(), name));
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        let site = minijinja::context! { name => settings.name.clone(), logo_url => settings.logo_url.clone() };
        let pages = Pages { env, site };
        // Every template is read and compiled now, so that a broken override fails at start.
        for (name, _) in EMBEDDED {
            pages.env.get_template(name).map_err(|e| template_error(name, e))?;
        }
        Ok(pages)
    }

    /// Renders the page `name` in `lang` with `context`, as an HTML response with `status`.
    pub fn page(&self, status: StatusCode, name: &str, lang: Lang, context: Value) -> Response {
        let ctx = minijinja::context! { lang => lang.code(), t => lang.words(), site => self.site.clone(), ..context };
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "a page could not be rendered");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }

    /// A page with one message, as errors and refusals show it.
    pub fn message(&self, status: StatusCode, lang: Lang, key: &str) -> Response {
        self.page(status, "message.html", lang, minijinja::context! { message_key => key })
    }

    /// The stylesheet, with the integrator's colours.
    pub fn css(&self, settings: &PortalSettings) -> Result<String, minijinja::Error> {
        let c = &settings.colours;
        self.env.get_template("portal.css")?.render(minijinja::context! {
            accent => c.accent.clone(), text => c.text.clone(), background => c.background.clone(),
        })
    }
}

fn load(dir: Option<&PathBuf>, name: &str) -> Result<Option<String>, minijinja::Error> {
    let embedded = EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    // Only the names of the embedded templates are looked up, so no name reaches outside `dir`.
    let Some(embedded) = embedded else { return Ok(None) };
    if let Some(dir) = dir {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, "could not read a template")
                    .with_source(e));
            }
        }
    }
    Ok(Some(embedded.to_owned()))
}

fn template_error(name: &str, e: minijinja::Error) -> gdprkit::Error {
    gdprkit::Error::config("templates_dir", format!("template {name}: {e:#}"))
}
