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

/// Calls `method` with JSON arguments and returns its JSON result.
pub fn call(g: &gdprkit::Gdpr, method: &str, args_json: &str) -> gdprkit::Result<String> {
    let args = serde_json::from_str(args_json).map_err(|e| gdprkit::Error::invalid("args", e))?;
    Ok(gdprkit::json_api::call(g, method, args)?.to_string())
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

    fn to_py(e: gdprkit::Error) -> PyErr {
        NativeError::new_err(super::error_message(&e))
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
                    .map_err(|e| gdprkit::Error::mail(format!("the Python mailer raised {e}"), true, None))
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
            let gdpr = py.detach(|| super::open(config_json)).map_err(to_py)?;
            let gdpr = match mailer {
                None => gdpr,
                Some(m) => {
                    let builder = gdpr.to_builder().mailer(std::sync::Arc::new(PyMailer(m)));
                    py.detach(|| builder.build()).map_err(to_py)?
                }
            };
            Ok(Native { gdpr })
        }

        /// Calls a facade method by name with JSON arguments, without the GIL.
        fn call(&self, py: Python<'_>, method: &str, args_json: &str) -> PyResult<String> {
            py.detach(|| super::call(&self.gdpr, method, args_json)).map_err(to_py)
        }

        /// The subject's export as PDF bytes, without the GIL while it renders.
        #[pyo3(signature = (subject, language=None))]
        fn export_pdf<'py>(
            &self,
            py: Python<'py>,
            subject: &str,
            language: Option<&str>,
        ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
            let bytes = py.detach(|| super::export_pdf(&self.gdpr, subject, language)).map_err(to_py)?;
            Ok(pyo3::types::PyBytes::new(py, &bytes))
        }
    }

    #[pymodule]
    fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<Native>()?;
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
}
