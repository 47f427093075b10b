//! The native half of the `gdprkit` Python package: a `Gdpr` opened from a configuration, and
//! every facade method called by name with JSON through [`gdprkit::json_api`], with the GIL
//! released. It holds no logic: the Python half (`python/gdprkit`) gives the methods their
//! keyword arguments, their result objects and their exception classes.

/// The JSON form of an error, which the Python half turns into its exception class.
pub fn error_message(e: &gdprkit::Error) -> String {
    gdprkit::json_api::error_json(e).to_string()
}

/// Opens gdprkit as a JSON configuration (the keys of `gdprkit::Config`) says.
pub fn open(config_json: &str) -> gdprkit::Result<gdprkit::Gdpr> {
    let config = gdprkit::Config::from_json(config_json)?;
    gdprkit_setup::open(&config)
}

/// `g`, or `g` reading the time from a clock stopped at `now` (RFC 3339): how the host's own
/// clock, read once before the call, reaches the core.
pub fn at(g: &gdprkit::Gdpr, now: Option<&str>) -> gdprkit::Result<gdprkit::Gdpr> {
    let Some(now) = now else { return Ok(g.clone()) };
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .map_err(|e| gdprkit::Error::invalid("now", format!("{now:?} is not an RFC 3339 instant: {e}")))?;
    Ok(g.with_clock(std::sync::Arc::new(gdprkit::FixedClock::new(now.to_utc()))))
}

/// Calls `method` with JSON arguments and returns its JSON result.
pub fn call(g: &gdprkit::Gdpr, method: &str, args_json: &str) -> gdprkit::Result<String> {
    let args = serde_json::from_str(args_json).map_err(|e| gdprkit::Error::invalid("args", e))?;
    Ok(gdprkit::json_api::call(g, method, args)?.to_string())
}

/// Sweeps as the JSON options say (`batch_size`, `dry_run`), handing `progress` each batch's
/// progress as JSON; an error from `progress` stops the sweep there.
pub fn sweep(
    g: &gdprkit::Gdpr,
    options_json: &str,
    progress: &mut dyn FnMut(String) -> gdprkit::Result<()>,
) -> gdprkit::Result<String> {
    let options =
        serde_json::from_str(options_json).map_err(|e| gdprkit::Error::invalid("args", format!("sweep: {e}")))?;
    let report = g.sweep(options, &mut |p| {
        progress(serde_json::to_string(p).map_err(|e| gdprkit::Error::internal("could not write progress", e))?)
    })?;
    serde_json::to_string(&report).map_err(|e| gdprkit::Error::internal("could not write a result as JSON", e))
}

/// The subject's export rendered as PDF/A (the configured renderer), for a person to read, print
/// and post.
pub fn export_pdf(g: &gdprkit::Gdpr, subject: &str, language: Option<&str>) -> gdprkit::Result<Vec<u8>> {
    let subject = gdprkit::SubjectId::new(subject)?;
    let language = language.map(str::parse::<gdprkit::Language>).transpose()?;
    g.render_pdf(&g.export(&subject, language)?)
}

#[cfg(feature = "python")]
mod python {
    use pyo3::exceptions::PyException;
    use pyo3::prelude::*;

    pyo3::create_exception!(_native, NativeError, PyException, "An error of gdprkit's core, as JSON.");

    std::thread_local! {
        /// The exception a Python callback (the mailer, a progress callback) raised during the
        /// call running on this thread: the core sees an error, Python gets the exception back
        /// as the cause. The core runs a call on the thread that made it, GIL released or not.
        static RAISED: std::cell::RefCell<Option<PyErr>> = const { std::cell::RefCell::new(None) };
    }

    /// The core's error as a `NativeError`, caused by what a Python callback raised, if one did.
    fn to_py(py: Python<'_>, e: gdprkit::Error) -> PyErr {
        let err = NativeError::new_err(super::error_message(&e));
        if let Some(cause) = RAISED.with(|r| r.borrow_mut().take()) {
            err.set_cause(py, Some(cause));
        }
        err
    }

    /// Forgets what a callback raised in an earlier call on this thread (one the core recovered
    /// from, such as a mail failure left queued in the outbox).
    fn fresh_call() {
        RAISED.with(|r| r.borrow_mut().take());
    }

    /// Keeps what a callback raised for [`to_py`], and returns its one-line description.
    fn raised(e: PyErr) -> String {
        let described = e.to_string();
        RAISED.with(|r| *r.borrow_mut() = Some(e));
        described
    }

    /// A Python object as gdprkit's mailer: its `_send_json(message_json)` sends one message and
    /// raises to refuse it. The core calls it without the GIL, so it takes the GIL to call in.
    struct PyMailer(Py<PyAny>);

    impl gdprkit::mailer::Mailer for PyMailer {
        fn send(&self, message: &gdprkit::mailer::Message) -> gdprkit::Result<()> {
            let json = serde_json::to_string(message)
                .map_err(|e| gdprkit::Error::internal("could not write a message as JSON", e))?;
            Python::attach(|py| {
                self.0
                    .call_method1(py, "_send_json", (json,))
                    .map(|_| ())
                    .map_err(|e| gdprkit::Error::mail(format!("the Python mailer raised {}", raised(e)), true, None))
            })
        }
    }

    /// gdprkit for one tenant, safe to share between threads.
    #[pyclass(frozen)]
    struct Native {
        gdpr: gdprkit::Gdpr,
    }

    #[pymethods]
    impl Native {
        #[new]
        #[pyo3(signature = (config_json, mailer=None))]
        fn new(py: Python<'_>, config_json: &str, mailer: Option<Py<PyAny>>) -> PyResult<Self> {
            fresh_call();
            let gdpr = py.detach(|| super::open(config_json)).map_err(|e| to_py(py, e))?;
            let gdpr = match mailer {
                None => gdpr,
                Some(m) => {
                    let builder = gdpr.to_builder().mailer(std::sync::Arc::new(PyMailer(m)));
                    py.detach(|| builder.build()).map_err(|e| to_py(py, e))?
                }
            };
            Ok(Native { gdpr })
        }

        /// Calls a facade method by name with JSON arguments, without the GIL; `now` (RFC 3339)
        /// is the instant the call reads as the time, when the host has a clock of its own.
        #[pyo3(signature = (method, args_json, now=None))]
        fn call(&self, py: Python<'_>, method: &str, args_json: &str, now: Option<&str>) -> PyResult<String> {
            fresh_call();
            py.detach(|| super::call(&super::at(&self.gdpr, now)?, method, args_json)).map_err(|e| to_py(py, e))
        }

        /// Sweeps without the GIL, calling `progress(progress_json)` with it after each batch; what
        /// `progress` raises stops the sweep and is raised as it is.
        #[pyo3(signature = (options_json, progress, now=None))]
        fn sweep(
            &self,
            py: Python<'_>,
            options_json: &str,
            progress: Py<PyAny>,
            now: Option<&str>,
        ) -> PyResult<String> {
            fresh_call();
            let result = py.detach(|| {
                let g = super::at(&self.gdpr, now)?;
                super::sweep(&g, options_json, &mut |p| {
                    Python::attach(|py| {
                        progress.call1(py, (p,)).map(|_| ()).map_err(|e| {
                            gdprkit::Error::invalid("progress", format!("the progress callback raised {}", raised(e)))
                        })
                    })
                })
            });
            result.map_err(|e| match RAISED.with(|r| r.borrow_mut().take()) {
                Some(raised) => raised,
                None => to_py(py, e),
            })
        }

        /// The subject's export as PDF bytes, without the GIL while it renders.
        #[pyo3(signature = (subject, language=None, now=None))]
        fn export_pdf<'py>(
            &self,
            py: Python<'py>,
            subject: &str,
            language: Option<&str>,
            now: Option<&str>,
        ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
            fresh_call();
            let bytes = py
                .detach(|| super::export_pdf(&super::at(&self.gdpr, now)?, subject, language))
                .map_err(|e| to_py(py, e))?;
            Ok(pyo3::types::PyBytes::new(py, &bytes))
        }
    }

    /// Every method `Native.call` knows.
    #[pyfunction]
    fn methods() -> Vec<&'static str> {
        gdprkit::json_api::METHODS.to_vec()
    }

    #[pymodule]
    fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<Native>()?;
        m.add_function(wrap_pyfunction!(methods, m)?)?;
        m.add("NativeError", m.py().get_type::<NativeError>())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_in_memory_answers_calls_by_name() {
        let g = open(r#"{"store": ":memory:", "pdf": false}"#).unwrap();
        call(
            &g,
            "add_purpose",
            r#"{"id": "news", "label": "News", "legal_basis": "consent", "direct_marketing": true}"#,
        )
        .unwrap();
        assert!(call(&g, "purposes", "{}").unwrap().contains("\"news\""));
        let err = call(&g, "purposes", "{not json").unwrap_err();
        assert!(error_message(&err).contains("\"code\":\"invalid_input\""));
    }

    #[test]
    fn a_call_reads_the_hosts_instant_when_given_one() {
        let g = open(r#"{"store": ":memory:", "pdf": false}"#).unwrap();
        assert_eq!(at(&g, Some("2030-01-02T03:04:05Z")).unwrap().now().to_rfc3339(), "2030-01-02T03:04:05+00:00");
        let err = at(&g, Some("tomorrow")).unwrap_err();
        assert_eq!(err.field(), Some("now"));
    }

    #[test]
    fn a_progress_error_stops_the_sweep_and_comes_back() {
        let g = open(r#"{"store": ":memory:", "pdf": false}"#).unwrap();
        let err = sweep(&g, r#"{"batch_size": 0, "dry_run": false}"#, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.field(), Some("crm"), "no CRM configured: {err}");
        let err = sweep(&g, r#"{"batch": 3}"#, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.field(), Some("args"));
    }
}
