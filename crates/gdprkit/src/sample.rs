//! The sample CRM that the demo, the tests and the benchmarks share: its tables, in SQL that
//! SQLite and PostgreSQL both read, and its data map (`docs/data-map.md` explains the format).
//!
//! Each table links its rows to a person by the `subject` column, holding the id gdprkit knows
//! the person by; rows are keyed by an integer, as the PostgreSQL adapter needs.

use crate::anonymize::map::DataMap;
use crate::error::Result;

/// The sample CRM's tables: contacts, their calls, their invoices.
pub const CRM_TABLES: &str = "
CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE, first_name TEXT,
    last_name TEXT NOT NULL, email TEXT, phone TEXT, birth_date TEXT, notes TEXT, score INTEGER,
    last_inbound_at TEXT);
CREATE TABLE calls (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, summary TEXT, at TEXT);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, amount REAL);";

/// The sample CRM's data map: contacts anonymized field by field (and after 3 years without a
/// word from them) with every column named and its kind declared, though the hashed e-mail, the
/// masked phone number and the kept score and date leave them pseudonymized (rule A3), calls
/// deleted, invoices kept 10 years under a legal obligation; and what an
/// export tells a person about the purposes `newsletter`, `events` and `product-news`.
pub const DATA_MAP: &str = r#"# Where the sample CRM keeps a person's data, and what an erasure does to it.
# What exports call each category, entity and field, in French and English.
[categories]
identity = { fr = "Identité", en = "Identity" }
events = { fr = "Échanges", en = "Dealings with us" }
billing = { fr = "Facturation", en = "Billing" }

[[entity]]
name = "contacts"
label = { fr = "Fiche contact", en = "Contact record" }
table = "contacts"
subject_column = "subject"
category = "identity"
on_erasure = "anonymize"
retention = { keep_for = "3y", from = ["last_inbound_at"], then = "anonymize" }
[entity.fields]
first_name = { op = "redact", kind = "identifier", label = { fr = "Prénom", en = "First name" } }
last_name = { op = "redact", kind = "identifier", label = { fr = "Nom", en = "Last name" } }
email = { op = "hash", kind = "identifier", label = { fr = "Adresse électronique", en = "E-mail address" } }
phone = { op = "mask", keep_last = 2, kind = "identifier", label = { fr = "Téléphone", en = "Phone number" } }
birth_date = { op = "generalize", to = "year", kind = "quasi", label = { fr = "Date de naissance", en = "Date of birth" } }
notes = { op = "null", kind = "free_text", label = { fr = "Notes de nos équipes", en = "Our staff's notes" } }
score = { kind = "quasi", label = { fr = "Score d'intérêt", en = "Interest score" } }
last_inbound_at = { kind = "quasi", label = { fr = "Dernier message reçu de vous", en = "Your last message to us" } }

[[entity]]
name = "calls"
label = { fr = "Appel", en = "Call" }
table = "calls"
subject_column = "subject"
category = "events"
on_erasure = "delete"
event_at = "at"
[entity.fields]
summary = { kind = "free_text", label = { fr = "Résumé", en = "Summary" } }
at = { label = { fr = "Date", en = "Date" } }

[[entity]]
name = "invoices"
label = { fr = "Factures", en = "Invoices" }
table = "invoices"
subject_column = "subject"
category = "billing"
on_erasure = { retain = "legal-obligation", for = "10y" }
[entity.fields]
amount = { kind = "non_personal", label = { fr = "Montant", en = "Amount" }, currency = "EUR" }

# What an export tells a person about each purpose (Art. 13-15).
[[processing]]
purpose = "newsletter"
label = { fr = "Lettre d'information mensuelle", en = "Monthly newsletter" }
categories = ["identity"]
recipients = ["Brevo SAS (e-mail delivery)"]
retention = { fr = "jusqu'à votre désinscription, puis 3 ans comme preuve", en = "until you unsubscribe, then 3 years as proof" }

[[processing]]
purpose = "events"
label = { fr = "Invitations à nos événements", en = "Event invitations" }
categories = ["identity", "events"]
recipients = ["Eventbrite (registrations)"]
retention = { fr = "3 ans après votre dernier contact avec nous", en = "3 years after your last contact with us" }

[[processing]]
purpose = "billing"
label = { fr = "Factures et avis de compte", en = "Invoices and account notices" }
categories = ["identity", "billing"]
retention = { fr = "10 ans après chaque facture (Code de commerce, art. L123-22)", en = "10 years after each invoice (Code de commerce, art. L123-22)" }

[[processing]]
purpose = "lead-scoring"
label = { fr = "Priorisation des prospects selon leur activité", en = "Scoring leads from their activity" }
categories = ["identity", "events"]
retention = { fr = "3 ans après votre dernier contact avec nous", en = "3 years after your last contact with us" }
automated_decision = { fr = "un score calculé à partir de vos appels et réponses décide de l'ordre dans lequel notre équipe commerciale vous rappelle ; il ne décide de rien d'autre", en = "a score computed from your calls and replies decides the order in which our sales team calls back; it decides nothing else" }
legitimate_interest = { fr = "rappeler d'abord les prospects les plus susceptibles de devenir clients", en = "calling back first the prospects most likely to become customers" }

[[processing]]
purpose = "product-news"
label = { fr = "Annonces de nos produits", en = "Product announcements" }
categories = ["identity"]
retention = { fr = "3 ans après votre dernier contact avec nous", en = "3 years after your last contact with us" }
source = { fr = "la fiche de votre entreprise dans un annuaire public", en = "your company's public directory listing" }
legitimate_interest = { fr = "présenter nos produits aux professionnels avec qui nous pouvons travailler", en = "telling the professionals we may work with about our products" }
"#;

/// The sample's `contacts` entity, its retention rule included (3 years from
/// `last_inbound_at`, then anonymize), with `fields` (TOML lines `column = operator`) in place of
/// its own: for sweeps and checks that try other operators on the same table.
pub fn contacts_with(fields: &str) -> String {
    let header = DATA_MAP.split("[entity.fields]").next().unwrap_or_default();
    format!("{header}[entity.fields]\n{fields}")
}

/// `map` with the line of field `field` (the first line starting `field = `) replaced by `line`,
/// or removed when `line` is empty: for tests that try another operator on one field.
pub fn with_field_line(map: &str, field: &str, line: &str) -> String {
    let prefix = format!("{field} = ");
    let mut done = false;
    let mut out = String::with_capacity(map.len());
    for l in map.lines() {
        if !done && l.starts_with(&prefix) {
            done = true;
            if !line.is_empty() {
                out.push_str(line);
                out.push('\n');
            }
        } else {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The sample's `calls` entity with a retention rule: deleted one year after the call.
pub const EXPIRING_CALLS: &str = r#"
[[entity]]
name = "calls"
table = "calls"
subject_column = "subject"
category = "events"
on_erasure = "delete"
retention = { keep_for = "1y", from = ["at"], then = "delete" }
"#;

/// [`DATA_MAP`], read.
pub fn data_map() -> Result<DataMap> {
    DataMap::from_toml(DATA_MAP)
}
