//! The PDF read back with poppler's `pdftotext` and checked with `qpdf` (both from Debian,
//! installed by `.ci/run`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use gdprkit::anonymize::operators::Value;
use gdprkit::export::json::to_json;
use gdprkit::export::model::Export;
use gdprkit::export::sample::sample_export;
use gdprkit::export::words::words;
use gdprkit::testkit::t;
use gdprkit_pdf::PdfRenderer;

fn export(first: &str, notes: &str, language: &str) -> Export {
    sample_export(first, "Martin", notes, 40, 12, t("2026-11-29T09:30:00Z"), language)
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} could not run ({e}); install poppler-utils and qpdf"))
}

/// The PDF's text, as `pdftotext` reads it.
fn text_of(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("export.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text in the order it was written (`pdftotext -raw`), its whitespace collapsed: a
/// value that wraps inside its table cell reads as one.
fn flat_text_of(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("flat.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext", &["-raw", path.to_str().unwrap(), "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn qpdf_check(pdf: &[u8], dir: &Path) {
    let path = dir.join("check.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(out.status.success(), "qpdf --check: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_pdf_holds_the_name_every_consent_date_and_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let export = export("Jeanne", "Prefers calls after 6 pm.", "fr");
    let pdf = PdfRenderer::new().render(&export).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    qpdf_check(&pdf, dir.path());
    let text = text_of(&pdf, dir.path());
    for expected in ["Vos données personnelles", "Jeanne", "Martin", "Acme CRM SAS", "Prefers calls after 6 pm."] {
        assert!(text.contains(expected), "{expected:?} not in the PDF");
    }
    let flat = flat_text_of(&pdf, dir.path());
    let when = words(&export).when;
    let said = |t: &chrono::DateTime<chrono::Utc>| {
        when[&serde_json::to_value(t).unwrap().as_str().unwrap().to_owned()].clone()
    };
    for c in &export.consents {
        let date = said(&c.occurred_at);
        assert!(flat.contains(&date), "consent {} of {date} not in the PDF", c.seq);
    }
    for r in &export.requests {
        assert!(flat.contains(&said(&r.received_at)), "request {}", r.id);
    }
    assert!(text.contains("rectification") && text.contains("accès"), "both requests, by kind");
    assert!(text.contains("Page 1 sur"), "pages are numbered");
    assert!(text.contains("CNIL"), "the right to complain names the authority");
}

#[test]
fn every_event_shows_its_date_once_and_every_other_field() {
    let dir = tempfile::tempdir().unwrap();
    let export = export("Jeanne", "", "en");
    let text = text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    assert!(!export.events.is_empty());
    let flat = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    let when = words(&export).when;
    for e in &export.events {
        let at = e.at.as_deref().unwrap();
        assert!(!text.contains(at), "event of {at}: its date in words, not as stored");
        assert!(flat.contains(&when[at]), "event of {at}: its date in words, {}", when[at]);
        for (field, value) in &e.record.0 {
            let shown = match value {
                Value::Text(v) if v == at => continue,
                Value::Text(v) => v.clone(),
                Value::Integer(n) => n.to_string(),
                other => panic!("the sample's events hold text and integers, not {other:?}"),
            };
            let columns = &export.entities.iter().find(|x| x.entity == e.entity).unwrap().columns;
            let column = columns.iter().find(|c| &c.column == field).unwrap();
            if column.technical {
                assert!(!text.contains(&format!("{field}: {shown}")), "technical {field} of event {at} is shown");
                continue;
            }
            let label = column.label.as_deref().unwrap_or(field);
            assert!(text.contains(&format!("{label}: {shown}")), "{label}: {shown} of event {at} not in the PDF");
        }
    }
    assert!(!text.contains("called_at"), "the field the date was read from is not repeated");
}

#[test]
fn an_events_empty_fields_bytes_and_numbers_are_shown_as_in_the_persons_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = export("Jeanne", "", "en");
    let record = &mut export.events[0].record.0;
    record.push(("outcome".into(), Value::Null));
    record.push(("recording".into(), Value::Blob(vec![1, 2, 3])));
    record.push(("minutes".into(), Value::Real(12.5)));
    let text = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    for shown in ["outcome: not recorded", "recording: (3 bytes)", "minutes: 12.5"] {
        assert!(text.contains(shown), "{shown:?} not in the PDF");
    }
}

#[test]
fn a_second_field_holding_an_events_date_is_still_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = export("Jeanne", "", "en");
    let at = export.events[0].at.clone().unwrap();
    export.events[0].record.0.push(("logged_at".into(), Value::Text(at.clone())));
    let text = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    let said = &words(&export).when[&at];
    assert!(text.contains(&format!("logged_at: {said}")), "only the first field holding the date is left out");
}

#[test]
fn each_consent_event_shows_both_instants_what_it_is_about_and_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let export = export("Jeanne", "", "en");
    let text = text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    assert!(text.contains("When it happened") && text.contains("Recorded on"));
    let flat = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
    let when = words(&export).when;
    for c in &export.consents {
        let recorded = &when[&serde_json::to_value(c.recorded_at).unwrap().as_str().unwrap().to_owned()];
        assert!(flat.contains(recorded.as_str()), "recorded {recorded}, {}", c.seq);
        let about = format!("{} · {}", c.purpose.as_deref().unwrap(), c.channel.as_deref().unwrap());
        assert!(text.contains(&about), "{about:?} not in the PDF");
    }
    assert!(text.contains("opt-in · web_form") && text.contains("withdrawal · web_form"));
}

#[test]
fn english_is_written_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let text = text_of(&PdfRenderer::new().render(&export("Jane", "", "en")).unwrap(), dir.path());
    assert!(text.contains("Your personal data") && text.contains("Your consent history"));
    assert!(!text.contains("Vos données"));
}

#[test]
fn markup_in_a_persons_data_is_printed_as_text_and_reads_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let name = "#read(\"/etc/passwd\")";
    let notes = "#panic() *bold* ] #import \"/etc/hosts\" $x$";
    let pdf = PdfRenderer::new().render(&export(name, notes, "en")).unwrap();
    qpdf_check(&pdf, dir.path());
    let text = text_of(&pdf, dir.path());
    for shown in ["#read(\"/etc/passwd\")", "#panic() *bold* ]", "#import \"/etc/hosts\" $x$"] {
        assert!(text.contains(shown), "{shown:?} is not shown as typed");
    }
    assert!(!text.contains("root:"), "the file was not read");
}

#[test]
fn a_template_that_reads_a_file_is_refused() {
    for template in ["#read(\"/etc/passwd\")", "#image(\"/usr/share/pixmaps/debian-logo.png\")", "#include \"x.typ\""] {
        let err = PdfRenderer::new().with_template(template).render(&export("Jeanne", "", "fr")).unwrap_err();
        assert!(err.to_string().starts_with("could not render the export"), "{err}");
        // Refused by the World, not merely missing: /etc/passwd exists.
        assert!(err.to_string().contains("access denied"), "{err}");
    }
    let err = PdfRenderer::new().with_template("#let x = (").render(&export("Jeanne", "", "fr")).unwrap_err();
    assert!(err.to_string().contains("could not render the export"), "{err}");
}

#[test]
fn an_integrators_template_gets_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let template = "#let data = json(bytes(sys.inputs.data))\n#set document(date: datetime(year: 2026, month: 1, day: 1))\nCustom letter for #data.subject.id";
    let pdf = PdfRenderer::new().with_template(template).render(&export("Jeanne", "", "fr")).unwrap();
    assert!(text_of(&pdf, dir.path()).contains("Custom letter for contact-42"));
}

#[test]
fn the_same_export_gives_the_same_bytes() {
    let renderer = PdfRenderer::new();
    let export = export("Jeanne", "", "fr");
    assert_eq!(renderer.render(&export).unwrap(), renderer.render(&export).unwrap());
    assert_eq!(renderer.render(&export).unwrap(), PdfRenderer::new().render(&export).unwrap(), "in a new renderer too");
}

#[test]
fn the_json_export_can_travel_inside_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let export = export("Jeanne", "", "fr");
    let pdf = PdfRenderer::new().with_json_attached(true).render(&export).unwrap();
    qpdf_check(&pdf, dir.path());
    let path = dir.path().join("attached.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = tool("qpdf", &["--show-attachment=export.json", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, to_json(&export).unwrap(), "the attachment is the JSON export, byte for byte");
    let plain = PdfRenderer::new().render(&export).unwrap();
    std::fs::write(&path, &plain).unwrap();
    let list = tool("qpdf", &["--list-attachments", path.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&list.stdout).contains("export.json"), "PDF/A-2b carries no attachment");
}

#[test]
fn a_logo_goes_on_the_cover_without_any_file_read() {
    let dir = tempfile::tempdir().unwrap();
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#2a6"/></svg>"##;
    let export = export("Jeanne", "", "fr");
    let with_logo = PdfRenderer::new().with_logo(svg.to_vec()).render(&export).unwrap();
    qpdf_check(&with_logo, dir.path());
    assert_ne!(with_logo, PdfRenderer::new().render(&export).unwrap(), "the logo is drawn");
    let err = PdfRenderer::new().with_logo(b"not an image".to_vec()).render(&export).unwrap_err();
    assert!(err.to_string().contains("could not render the export"), "{err}");
}

/// Art. 12(1): the PDF speaks the person's words. The data map's labels (here the sample's, in
/// French and in English) stand for the CRM's column names, technical columns (ids, keys) are left
/// out, and the controller's address and DPO are given.
#[test]
fn labels_stand_for_column_names_and_technical_columns_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    for (language, labels) in [
        ("fr", ["Identité", "Coordonnées", "Prénom", "Adresse électronique", "Montant", "Appels", "Résumé"]),
        ("en", ["Identity", "Contact details", "First name", "E-mail address", "Amount", "Calls", "Summary"]),
    ] {
        let export = export("Jeanne", "", language);
        let text = text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
        for label in labels {
            assert!(text.contains(label), "{language}: label {label:?} not in the PDF");
        }
        for column in ["first_name", "contact_id", "issued_on", "summary:", "id:"] {
            assert!(!text.contains(column), "{language}: the CRM's name {column:?} is in the PDF");
        }
        for controller in ["Acme CRM SAS", "12 rue des Lilas, 69003 Lyon", "dpo@acme.example"] {
            assert!(text.contains(controller), "{language}: {controller:?} not in the PDF");
        }
        // Art. 13(2)(e): whether providing the data is required, where the map says.
        let required = if language == "fr" { "Devez-vous les fournir ?" } else { "Must you provide them?" };
        assert!(text.contains(required), "{language}: {required:?} not in the PDF");
        // The invoice's amount with the currency the map declares, in the language's way.
        let amount = if language == "fr" { "1 250,50 €" } else { "€1,250.50" };
        assert!(text.contains(amount), "{language}: the amount {amount:?} not in the PDF");
    }
}

/// Art. 12(1): the consent history is told in sentences, one per purpose and channel, before its
/// table; dates are in words in the controller's zone, in the person's language.
#[test]
fn the_consent_history_reads_as_sentences_with_dates_in_words() {
    let dir = tempfile::tempdir().unwrap();
    for (language, opening, month) in [("en", "You ", "November"), ("fr", "Vous ", "novembre")] {
        let export = export("Jeanne", "", language);
        let said = words(&export);
        assert_eq!(said.consent_sentences.len(), 3, "one per purpose and channel: {:?}", said.consent_sentences);
        let flat = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
        for sentence in &said.consent_sentences {
            assert!(sentence.starts_with(opening), "{sentence}");
            let start: String = sentence.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&start), "{language}: {start:?} not in the PDF");
        }
        assert!(flat.contains(&format!("29 {month} 2026")), "{language}: the date it was made, in words");
    }
}

/// Art. 12(1): a field the map declares a yes or no reads "yes" or "no" in the person's language,
/// never 1 or 0.
#[test]
fn a_yes_or_no_reads_as_words() {
    let dir = tempfile::tempdir().unwrap();
    for (language, expected) in [("en", "Paid yes"), ("fr", "Payée oui")] {
        let flat = flat_text_of(&PdfRenderer::new().render(&export("Jeanne", "", language)).unwrap(), dir.path());
        assert!(flat.contains(expected), "{language}: {expected:?} not in the PDF");
    }
}

/// Arts. 13, 14 and 15(1)(g): the first page says where the person's data came from and when
/// they were told, with the notice's version, in their language.
#[test]
fn the_first_page_says_where_the_data_came_from_and_what_the_person_was_told() {
    let dir = tempfile::tempdir().unwrap();
    for (language, heading, source, told) in [
        (
            "en",
            "What we told you",
            "We obtained your data from a trade fair (Salon Bâtir Lyon) on 25 October 2025.",
            "We told you how we use your data on 4 November 2025, by e-mail (version notice-7b6e5589a451).",
        ),
        (
            "fr",
            "Ce que nous vous avons dit",
            "Nous avons obtenu vos données auprès d'un salon professionnel (Salon Bâtir Lyon) le 25 octobre 2025.",
            "Nous vous avons informé de l'usage de vos données le 4 novembre 2025, par courrier électronique (version notice-7b6e5589a451).",
        ),
    ] {
        let export = export("Jeanne", "", language);
        assert_eq!(words(&export).information_sentences, [source, told], "{language}");
        let flat = flat_text_of(&PdfRenderer::new().render(&export).unwrap(), dir.path());
        for expected in [heading, source, told] {
            assert!(flat.contains(expected), "{language}: {expected:?} not in the PDF");
        }
    }
}

/// Art. 12(1): an empty or short list is a line or a few under its heading, not a page of its
/// own; only long lists start their own pages.
#[test]
fn short_and_empty_lists_stay_on_the_page_they_start_on() {
    let dir = tempfile::tempdir().unwrap();
    let pages = |export: &Export| {
        let path = dir.path().join("pages.pdf");
        std::fs::write(&path, PdfRenderer::new().render(export).unwrap()).unwrap();
        let out = tool("qpdf", &["--show-npages", path.to_str().unwrap()]);
        String::from_utf8(out.stdout).unwrap().trim().parse::<usize>().unwrap()
    };
    let short = sample_export("Jeanne", "Martin", "", 0, 2, t("2026-11-29T09:30:00Z"), "en");
    assert_eq!(pages(&short), 3, "the cover, then everything else on two pages");
    let text = text_of(&PdfRenderer::new().render(&short).unwrap(), dir.path());
    assert!(text.contains("No consent recorded."));
    let long = sample_export("Jeanne", "Martin", "", 60, 60, t("2026-11-29T09:30:00Z"), "en");
    assert!(pages(&long) > pages(&short) + 2, "long lists start pages of their own");
}

/// `docs/export.md` shows every picture of `docs/export/`, and each picture it shows exists.
#[test]
fn the_export_doc_shows_every_picture_of_the_demos_export() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let page = std::fs::read_to_string(docs.join("export.md")).unwrap();
    let mut pictures: Vec<String> = std::fs::read_dir(docs.join("export"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    pictures.sort();
    assert!(
        pictures.iter().any(|p| p.starts_with("export-fr-")) && pictures.iter().any(|p| p.starts_with("export-en-"))
    );
    for p in &pictures {
        assert!(page.contains(&format!("(export/{p})")), "docs/export.md does not show {p}");
    }
    let shown = page.matches("](export/").count();
    assert_eq!(shown, pictures.len(), "docs/export.md shows a picture that is not in docs/export/");
}

/// Art. 15(1): the first page answers the person's questions (what we hold, why and on which
/// basis, how long, who receives it, where it came from, their rights), before the detail.
#[test]
fn the_first_page_answers_the_persons_questions() {
    let dir = tempfile::tempdir().unwrap();
    let export = export("Jeanne", "", "en");
    let path = dir.path().join("first.pdf");
    std::fs::write(&path, PdfRenderer::new().render(&export).unwrap()).unwrap();
    let out = tool("pdftotext", &["-f", "1", "-l", "1", "-raw", path.to_str().unwrap(), "-"]);
    let first = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "In short",
        "What we hold Identity (1), Billing (1), Your dealings with us (12), Your consent history (40)",
        "Why, and on which basis Monthly newsletter (consent)",
        "How long Monthly newsletter: 3 years after the last contact",
        "Who receives it Brevo (e-mail delivery)",
        "Where it came from yourself",
        "To exercise them, write to dpo@acme.example.",
        "Page 1 of",
    ] {
        assert!(first.contains(expected), "{expected:?} not on the first page: {first}");
    }
}
