//! What the data map tells a person about each processing (rule E1, Art. 13 to 15): the
//! categories used, the recipients by name, how long the data are kept (required), where they
//! come from, automated decision-making and its logic, and transfers outside the EEA with their
//! safeguard, read from the map's `[[processing]]` tables.

use serde::Serialize;
use toml::{Table, Value as Toml};

use crate::error::{Error, Result};

/// What the controller does with the data for one purpose, as an export tells the person
/// (Art. 13–15). The legal basis comes from the purpose as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Processing {
    /// The purpose's id, as registered.
    pub purpose: String,
    /// The categories of data it uses.
    pub categories: Vec<String>,
    /// Who receives the data, by name (CJEU C-154/21).
    pub recipients: Vec<String>,
    /// How long the data are kept, or the criteria that decide it (Art. 15(1)(d)): required.
    pub retention: String,
    /// Where the data come from, when not from the person (Art. 15(1)(g)).
    pub source: Option<String>,
    /// Automated decision-making or profiling, with meaningful information about its logic and
    /// consequences (Art. 15(1)(h)); `None` when there is none.
    pub automated_decision: Option<String>,
    /// Transfers to a third country or an international organisation, per recipient, with their
    /// safeguard (Art. 15(2), Art. 44 to 49).
    pub transfers: Vec<Transfer>,
}

/// A transfer of data outside the EEA (Art. 15(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Transfer {
    /// The recipient, one of the processing's recipients.
    pub recipient: String,
    /// The country or international organisation.
    pub country: String,
    /// The safeguard: an adequacy decision (Art. 45), standard contractual clauses (Art. 46),
    /// binding corporate rules (Art. 47), …
    pub safeguard: String,
}

const KEYS: [&str; 7] =
    ["purpose", "categories", "recipients", "retention", "source", "automated_decision", "transfers"];

impl Processing {
    /// Reads the `index`-th `[[processing]]` table.
    pub(crate) fn read(p: &Table, index: usize) -> Result<Self> {
        let purpose = text(p, "purpose", &format!("processing #{}", index + 1))?
            .ok_or_else(|| Error::invalid("data_map", format!("processing #{}: `purpose` is missing", index + 1)))?;
        let what = format!("processing {purpose:?}");
        if let Some(key) = p.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(Error::invalid("data_map", format!("{what}: unknown key {key:?}")));
        }
        let retention = text(p, "retention", &what)?.ok_or_else(|| {
            Error::invalid(
                "data_map",
                format!(
                    "{what}: `retention` is missing: how long the data are kept, or the criteria that decide it, \
                     is told to the person (Art. 13(2)(a), 15(1)(d))"
                ),
            )
        })?;
        let recipients = list(p, "recipients", &what)?;
        let transfers = match p.get("transfers") {
            None => Vec::new(),
            Some(Toml::Array(items)) => items
                .iter()
                .map(|t| {
                    let Toml::Table(t) = t else {
                        return Err(Error::invalid("data_map", format!("{what}: each transfer is a table")));
                    };
                    let w = format!("{what}, transfer");
                    if let Some(key) = t.keys().find(|k| !["recipient", "country", "safeguard"].contains(&k.as_str())) {
                        return Err(Error::invalid("data_map", format!("{w}: unknown key {key:?}")));
                    }
                    let field = |key: &str| {
                        text(t, key, &w)?.ok_or_else(|| Error::invalid("data_map", format!("{w}: `{key}` is missing")))
                    };
                    let transfer = Transfer {
                        recipient: field("recipient")?,
                        country: field("country")?,
                        safeguard: field("safeguard")?,
                    };
                    if !recipients.contains(&transfer.recipient) {
                        return Err(Error::invalid(
                            "data_map",
                            format!("{w}: {:?} is not one of the processing's recipients", transfer.recipient),
                        ));
                    }
                    Ok(transfer)
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => return Err(Error::invalid("data_map", format!("{what}: `transfers` must be a list of tables"))),
        };
        Ok(Processing {
            categories: list(p, "categories", &what)?,
            recipients,
            retention,
            source: text(p, "source", &what)?,
            automated_decision: text(p, "automated_decision", &what)?,
            transfers,
            purpose,
        })
    }

    /// The table the map writes.
    pub(crate) fn to_table(&self) -> Table {
        let mut t = Table::new();
        let strings = |items: &[String]| Toml::Array(items.iter().map(|s| Toml::String(s.clone())).collect());
        t.insert("purpose".into(), Toml::String(self.purpose.clone()));
        t.insert("categories".into(), strings(&self.categories));
        t.insert("recipients".into(), strings(&self.recipients));
        t.insert("retention".into(), Toml::String(self.retention.clone()));
        if let Some(s) = &self.source {
            t.insert("source".into(), Toml::String(s.clone()));
        }
        if let Some(a) = &self.automated_decision {
            t.insert("automated_decision".into(), Toml::String(a.clone()));
        }
        if !self.transfers.is_empty() {
            let transfers = self
                .transfers
                .iter()
                .map(|x| {
                    let mut tt = Table::new();
                    tt.insert("recipient".into(), Toml::String(x.recipient.clone()));
                    tt.insert("country".into(), Toml::String(x.country.clone()));
                    tt.insert("safeguard".into(), Toml::String(x.safeguard.clone()));
                    Toml::Table(tt)
                })
                .collect();
            t.insert("transfers".into(), Toml::Array(transfers));
        }
        t
    }
}

fn text(t: &Table, key: &str, what: &str) -> Result<Option<String>> {
    match t.get(key) {
        None => Ok(None),
        Some(Toml::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(Toml::String(_)) => Err(Error::invalid("data_map", format!("{what}: `{key}` is empty"))),
        Some(_) => Err(Error::invalid("data_map", format!("{what}: `{key}` must be a string"))),
    }
}

fn list(t: &Table, key: &str, what: &str) -> Result<Vec<String>> {
    match t.get(key) {
        None => Ok(Vec::new()),
        Some(Toml::Array(items)) => items
            .iter()
            .map(|item| match item {
                Toml::String(s) => Ok(s.clone()),
                _ => Err(Error::invalid("data_map", format!("{what}: `{key}` must be a list of strings"))),
            })
            .collect(),
        Some(_) => Err(Error::invalid("data_map", format!("{what}: `{key}` must be a list of strings"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(toml: &str) -> Result<Processing> {
        let table: Table = toml::from_str(toml).unwrap();
        Processing::read(&table, 0)
    }

    /// Art. 13(2)(a), 15(1)(d), 15(1)(h), 15(2): retention required; decisions and transfers read.
    #[test]
    fn retention_is_required_and_transfers_name_a_recipient() {
        let err = read("purpose = \"news\"").unwrap_err().to_string();
        assert!(err.contains("`retention` is missing") && err.contains("15(1)(d)"), "{err}");
        let p = read(
            "purpose = \"scoring\"\nretention = \"3 years\"\nrecipients = [\"Acme Analytics Inc.\"]\n\
             automated_decision = \"A score from your purchases decides which offers you see.\"\n\
             transfers = [{ recipient = \"Acme Analytics Inc.\", country = \"United States\", safeguard = \"standard contractual clauses (Art. 46(2)(c))\" }]",
        )
        .unwrap();
        assert_eq!(p.transfers[0].country, "United States");
        assert!(p.automated_decision.is_some());
        let round = Processing::read(&p.to_table(), 0).unwrap();
        assert_eq!(round, p);
        let err = read(
            "purpose = \"x\"\nretention = \"1y\"\ntransfers = [{ recipient = \"Nobody\", country = \"US\", safeguard = \"SCC\" }]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not one of the processing's recipients"), "{err}");
    }
}
