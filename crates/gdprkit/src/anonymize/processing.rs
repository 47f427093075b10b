//! What the data map tells a person about each processing (rule E1, Art. 13 to 15): the
//! categories used, the recipients by name, how long the data are kept (required), where they
//! come from, automated decision-making and its logic, and transfers outside the EEA with their
//! safeguard, read from the map's `[[processing]]` tables.

use serde::Serialize;

use super::label::Label;

/// What the controller does with the data for one purpose, as an export tells the person
/// (Art. 13–15). The legal basis comes from the purpose as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Processing {
    /// The purpose's id, as registered.
    pub purpose: String,
    /// What the purpose is called in front of the person, per language; the registered purpose's
    /// label when `None`.
    pub label: Option<Label>,
    /// The categories of data it uses.
    pub categories: Vec<String>,
    /// Who receives the data, by name (CJEU C-154/21).
    pub recipients: Vec<String>,
    /// How long the data are kept, or the criteria that decide it (Art. 15(1)(d)): required.
    pub retention: Label,
    /// Where the data come from, when not from the person (Art. 15(1)(g)).
    pub source: Option<Label>,
    /// Automated decision-making or profiling, with meaningful information about its logic and
    /// consequences (Art. 15(1)(h)); `None` when there is none.
    pub automated_decision: Option<Label>,
    /// Transfers to a third country or an international organisation, per recipient, with their
    /// safeguard (Art. 15(2), Art. 44 to 49).
    pub transfers: Vec<Transfer>,
    /// The legitimate interest pursued, where the purpose's basis is legitimate interests
    /// (Art. 13(1)(d), 14(2)(b)).
    pub legitimate_interest: Option<Label>,
    /// Whether providing the data is a statutory or contractual requirement (or one to enter into
    /// a contract), whether the person must provide them, and what follows if they do not
    /// (Art. 13(2)(e)).
    pub requirement: Option<Label>,
}

impl Processing {
    /// Its texts, for the warnings of `map check`: each with its key.
    pub(crate) fn texts(&self) -> [(&'static str, Option<&Label>); 6] {
        [
            ("label", self.label.as_ref()),
            ("retention", Some(&self.retention)),
            ("source", self.source.as_ref()),
            ("automated_decision", self.automated_decision.as_ref()),
            ("legitimate_interest", self.legitimate_interest.as_ref()),
            ("requirement", self.requirement.as_ref()),
        ]
    }
}

/// A transfer of data outside the EEA (Art. 15(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The recipient, one of the processing's recipients.
    pub recipient: String,
    /// The country or international organisation.
    pub country: String,
    /// The safeguard: an adequacy decision (Art. 45), standard contractual clauses (Art. 46),
    /// binding corporate rules (Art. 47), …
    pub safeguard: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DataMap;
    use crate::error::Result;

    const ENTITY: &str = "[[entity]]\nname = \"c\"\ntable = \"c\"\nsubject_column = \"id\"\ncategory = \"identity\"\non_erasure = \"delete\"\n";

    fn read(toml: &str) -> Result<Processing> {
        DataMap::from_toml(&format!("{ENTITY}[[processing]]\n{toml}")).map(|m| m.processing[0].clone())
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
        let map = DataMap::from_toml(ENTITY).map(|mut m| {
            m.processing.push(p.clone());
            m
        });
        let json = serde_json::to_string(&map.unwrap()).unwrap();
        assert_eq!(DataMap::from_json(&json).unwrap().processing, [p], "written and read back");
        let err = read(
            "purpose = \"x\"\nretention = \"1y\"\ntransfers = [{ recipient = \"Nobody\", country = \"US\", safeguard = \"SCC\" }]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not one of the processing's recipients"), "{err}");
    }
}
