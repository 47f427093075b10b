//! The native half of the `gdprkit` Python package: the PyO3 glue over
//! [`gdprkit_setup::host`], which opens gdprkit from a JSON configuration and calls every facade
//! method by name with JSON, here with the GIL released. It holds no logic: the Python half
//! (`python/gdprkit`) gives the methods their keyword arguments, their result objects and their
//! exception classes.

/// The JSON form of an error, which the Python half turns into its exception class.
pub fn error_message(e: &gdprkit::Error) -> String {
    gdprkit::json_api::error_json(e).to_string()
}

#[cfg(feature = "python")]
mod python {
    use gdprkit_setup::host;
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
            let gdpr = py.detach(|| host::open_json(config_json)).map_err(|e| to_py(py, e))?;
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
            py.detach(|| host::call(&host::at(&self.gdpr, now)?, method, args_json)).map_err(|e| to_py(py, e))
        }

        /// Decides for many subjects in one call, without the GIL, keeping the decisions native.
        #[pyo3(signature = (subjects, purpose, channel, at=None, now=None))]
        fn campaign(
            &self,
            py: Python<'_>,
            subjects: Vec<String>,
            purpose: &str,
            channel: &str,
            at: Option<&str>,
            now: Option<&str>,
        ) -> PyResult<Campaign> {
            fresh_call();
            py.detach(|| host::Campaign::decide(&host::at(&self.gdpr, now)?, subjects, purpose, channel, at))
                .map(Campaign)
                .map_err(|e| to_py(py, e))
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
                let g = host::at(&self.gdpr, now)?;
                host::sweep(&g, options_json, &mut |p| {
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
                .detach(|| host::export_pdf(&host::at(&self.gdpr, now)?, subject, language))
                .map_err(|e| to_py(py, e))?;
            Ok(pyo3::types::PyBytes::new(py, &bytes))
        }

        /// The information notice as PDF bytes, without the GIL while it renders.
        #[pyo3(signature = (subject=None, language=None, now=None))]
        fn information_notice_pdf<'py>(
            &self,
            py: Python<'py>,
            subject: Option<&str>,
            language: Option<&str>,
            now: Option<&str>,
        ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
            fresh_call();
            let bytes = py
                .detach(|| host::information_notice_pdf(&host::at(&self.gdpr, now)?, subject, language))
                .map_err(|e| to_py(py, e))?;
            Ok(pyo3::types::PyBytes::new(py, &bytes))
        }
    }

    /// The decisions of a campaign, kept native.
    #[pyclass(frozen)]
    struct Campaign(host::Campaign);

    #[pymethods]
    impl Campaign {
        fn __len__(&self) -> usize {
            self.0.len()
        }

        /// The ids of the subjects who may be contacted, in the order asked.
        fn allowed(&self) -> Vec<&str> {
            self.0.allowed().collect()
        }

        /// Decision `i` as JSON, with its reason.
        fn decision_json(&self, py: Python<'_>, i: usize) -> PyResult<String> {
            self.0.decision_json(i).map_err(|e| to_py(py, e))
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
        m.add_class::<Campaign>()?;
        m.add_function(wrap_pyfunction!(methods, m)?)?;
        m.add("NativeError", m.py().get_type::<NativeError>())?;
        Ok(())
    }
}
