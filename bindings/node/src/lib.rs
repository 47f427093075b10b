//! The native half of the `gdprkit` Node package: the napi-rs glue over
//! [`gdprkit_setup::host`], which opens gdprkit from a JSON configuration and calls every facade
//! method by name with JSON. Every call that touches the store, mail or a PDF runs on libuv's
//! worker threads and returns a Promise. It holds no logic: the JavaScript half (`index.js`)
//! gives the methods their camelCase options, and errors their `GdprError` class.

/// The JSON form of an error, which the JavaScript half turns into a `GdprError`.
pub fn error_message(e: &gdprkit::Error) -> String {
    gdprkit::json_api::error_json(e).to_string()
}

/// What a JavaScript callback's answer means to the core: the JavaScript half wraps every
/// callback so that it resolves to an empty string when it did its work, and to the description
/// of what it threw otherwise (a rejected promise crossing threads would lose its message).
pub fn callback_outcome(answer: String) -> Result<(), String> {
    if answer.is_empty() { Ok(()) } else { Err(answer) }
}

/// The classes and functions the module gives Node (`native.js` loads them).
#[cfg(feature = "node")]
pub mod node {
    use std::sync::Arc;

    use gdprkit::Gdpr;
    use gdprkit_setup::host;
    use napi::bindgen_prelude::{AsyncTask, Buffer, Promise};
    use napi::threadsafe_function::ThreadsafeFunction;
    use napi::{Env, Status, Task};
    use napi_derive::napi;

    /// A JavaScript function called from a worker thread with one JSON string, whose promise
    /// resolves to `""` or to what went wrong. Weak: it does not keep Node running by itself.
    type Callback = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

    /// The core's error as a rejected promise whose message is the error's JSON.
    fn to_js(e: gdprkit::Error) -> napi::Error {
        napi::Error::new(Status::GenericFailure, super::error_message(&e))
    }

    /// Calls `callback` with `json` from a worker thread and waits for its promise to settle.
    fn call_back(callback: &Callback, json: String) -> Result<(), String> {
        futures::executor::block_on(async {
            let answer = callback.call_async(json).await.map_err(|e| e.reason.clone())?;
            answer.await.map_err(|e| e.reason.clone())
        })
        .and_then(super::callback_outcome)
    }

    /// A JavaScript function as gdprkit's mailer: called with the message as JSON, from the worker
    /// thread running the call, which waits for its promise.
    struct JsMailer(Callback);

    impl gdprkit::mailer::Mailer for JsMailer {
        fn send(&self, message: &gdprkit::mailer::Message) -> gdprkit::Result<()> {
            let json = serde_json::to_string(message)
                .map_err(|e| gdprkit::Error::internal("could not write a message as JSON", e))?;
            call_back(&self.0, json)
                .map_err(|why| gdprkit::Error::mail(format!("the JavaScript mailer failed: {why}"), true, None))
        }
    }

    /// Declares a task that runs `work` on a worker thread and hands its result, or the core's
    /// error, to the JavaScript thread.
    macro_rules! task {
        ($(#[$doc:meta])* $name:ident: $out:ty => $js:ty, |$value:ident| $make:expr) => {
            $(#[$doc])*
            pub struct $name(Option<Box<dyn FnOnce() -> gdprkit::Result<$out> + Send>>);

            impl $name {
                fn run(work: impl FnOnce() -> gdprkit::Result<$out> + Send + 'static) -> AsyncTask<Self> {
                    AsyncTask::new($name(Some(Box::new(work))))
                }
            }

            impl Task for $name {
                type Output = gdprkit::Result<$out>;
                type JsValue = $js;

                fn compute(&mut self) -> napi::Result<Self::Output> {
                    let work = self.0.take().ok_or_else(|| napi::Error::from_reason("a task ran twice"))?;
                    // A panic must not cross into Node, which would abort the process: it becomes
                    // the core's internal error.
                    Ok(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                        .unwrap_or_else(|_| Err(gdprkit::Error::internal("a call panicked", std::fmt::Error))))
                }

                fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<$js> {
                    let $value = output.map_err(to_js)?;
                    Ok($make)
                }
            }
        };
    }

    task!(
        /// Opens gdprkit as a JSON configuration says.
        OpenTask: Gdpr => Native, |gdpr| Native { gdpr }
    );
    task!(
        /// A facade method called by name, or a sweep.
        CallTask: String => String, |json| json
    );
    task!(
        /// An export rendered to PDF.
        PdfTask: Vec<u8> => Buffer, |bytes| Buffer::from(bytes)
    );
    task!(
        /// A campaign decided.
        CampaignTask: host::Campaign => Campaign, |campaign| Campaign(campaign)
    );

    /// gdprkit for one tenant; every method runs off the JavaScript thread.
    #[napi]
    pub struct Native {
        gdpr: Gdpr,
    }

    #[napi]
    impl Native {
        /// Opens gdprkit as the JSON configuration says (the keys of `gdprkit::Config`), with
        /// `mailer` as its mailer when given.
        #[napi(
            ts_args_type = "configJson: string, mailer?: (messageJson: string) => Promise<string>",
            ts_return_type = "Promise<Native>"
        )]
        pub fn open(config_json: String, mailer: Option<Callback>) -> AsyncTask<OpenTask> {
            OpenTask::run(move || {
                let gdpr = host::open_json(&config_json)?;
                match mailer {
                    None => Ok(gdpr),
                    Some(m) => gdpr.to_builder().mailer(Arc::new(JsMailer(m))).build(),
                }
            })
        }

        /// Calls a facade method by name with JSON arguments; `now` (RFC 3339) is the instant
        /// the call reads as the time, when the host has a clock of its own.
        #[napi(ts_return_type = "Promise<string>")]
        pub fn call(&self, method: String, args_json: String, now: Option<String>) -> AsyncTask<CallTask> {
            let gdpr = self.gdpr.clone();
            CallTask::run(move || host::call(&host::at(&gdpr, now.as_deref())?, &method, &args_json))
        }

        /// Sweeps as the JSON options say, calling `progress(progressJson)` after each batch and
        /// waiting for its promise; a failure it reports stops the sweep there.
        #[napi(
            ts_args_type = "optionsJson: string, progress: (progressJson: string) => Promise<string>, now?: string | undefined | null",
            ts_return_type = "Promise<string>"
        )]
        pub fn sweep(&self, options_json: String, progress: Callback, now: Option<String>) -> AsyncTask<CallTask> {
            let gdpr = self.gdpr.clone();
            CallTask::run(move || {
                let g = host::at(&gdpr, now.as_deref())?;
                host::sweep(&g, &options_json, &mut |p| {
                    call_back(&progress, p).map_err(|why| {
                        gdprkit::Error::invalid("progress", format!("the progress callback failed: {why}"))
                    })
                })
            })
        }

        /// Decides for many subjects in one call, keeping the decisions native. The subjects come
        /// as one JSON array of ids: one string crosses from JavaScript rather than one per
        /// subject, which would hold the JavaScript thread for as long as the call's own work.
        #[napi(ts_return_type = "Promise<Campaign>")]
        pub fn campaign(
            &self,
            subjects_json: String,
            purpose: String,
            channel: String,
            at: Option<String>,
            now: Option<String>,
        ) -> AsyncTask<CampaignTask> {
            let gdpr = self.gdpr.clone();
            CampaignTask::run(move || {
                let subjects: Vec<String> = serde_json::from_str(&subjects_json).map_err(|e| {
                    gdprkit::Error::invalid("subjects", format!("every subject is an id (a string): {e}"))
                })?;
                host::Campaign::decide(&host::at(&gdpr, now.as_deref())?, subjects, &purpose, &channel, at.as_deref())
            })
        }

        /// The subject's export as PDF bytes.
        #[napi(ts_return_type = "Promise<Buffer>")]
        pub fn export_pdf(&self, subject: String, language: Option<String>, now: Option<String>) -> AsyncTask<PdfTask> {
            let gdpr = self.gdpr.clone();
            PdfTask::run(move || host::export_pdf(&host::at(&gdpr, now.as_deref())?, &subject, language.as_deref()))
        }

        /// The information notice as PDF bytes.
        #[napi(ts_return_type = "Promise<Buffer>")]
        pub fn information_notice_pdf(
            &self,
            subject: Option<String>,
            language: Option<String>,
            now: Option<String>,
        ) -> AsyncTask<PdfTask> {
            let gdpr = self.gdpr.clone();
            PdfTask::run(move || {
                host::information_notice_pdf(&host::at(&gdpr, now.as_deref())?, subject.as_deref(), language.as_deref())
            })
        }
    }

    /// The decisions of a campaign, kept native.
    #[napi]
    pub struct Campaign(host::Campaign);

    #[napi]
    impl Campaign {
        /// How many decisions: one per subject asked about.
        #[napi(getter)]
        pub fn length(&self) -> u32 {
            u32::try_from(self.0.len()).unwrap_or(u32::MAX)
        }

        /// The ids of the subjects who may be contacted, in the order asked, as a JSON array
        /// (one string to cross rather than one per subject).
        #[napi]
        pub fn allowed_json(&self) -> napi::Result<String> {
            serde_json::to_string(&self.0.allowed().collect::<Vec<_>>())
                .map_err(|e| to_js(gdprkit::Error::internal("could not write the allowed subjects as JSON", e)))
        }

        /// Decision `i` as JSON, with its reason.
        #[napi]
        pub fn decision_json(&self, i: u32) -> napi::Result<String> {
            self.0.decision_json(i as usize).map_err(to_js)
        }
    }

    /// Every method `Native.call` knows.
    #[napi]
    pub fn methods() -> Vec<String> {
        gdprkit::json_api::METHODS.iter().map(|m| (*m).to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_crosses_to_javascript_as_its_json() {
        let e = gdprkit::Error::invalid("subject", "empty");
        let json: serde_json::Value = serde_json::from_str(&super::error_message(&e)).unwrap();
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(json["field"], "subject");
    }

    #[test]
    fn a_callback_succeeds_only_with_an_empty_answer() {
        assert_eq!(super::callback_outcome(String::new()), Ok(()));
        assert_eq!(super::callback_outcome("Error: refused".into()), Err("Error: refused".into()));
    }
}
