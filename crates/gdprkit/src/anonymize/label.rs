//! What a data map calls its categories, entities and fields in front of the person: one wording
//! for every language, or one per language (`{ fr = "Prénom", en = "First name" }`). Exports show
//! these labels in place of the CRM's table and column names (Art. 12(1): clear and plain
//! language).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::map::DataMap;
use crate::subject::Language;

/// A name shown to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Label {
    /// The same wording in every language.
    Same(String),
    /// One wording per language.
    PerLanguage(BTreeMap<Language, String>),
}

impl From<&str> for Label {
    /// The same wording in every language.
    fn from(s: &str) -> Self {
        Label::Same(s.to_owned())
    }
}

impl From<String> for Label {
    /// The same wording in every language.
    fn from(s: String) -> Self {
        Label::Same(s)
    }
}

impl Label {
    /// The wording in `language`, if the label has one.
    pub fn get(&self, language: Language) -> Option<&str> {
        match self {
            Label::Same(s) => Some(s),
            Label::PerLanguage(by) => by.get(&language).map(String::as_str),
        }
    }

    /// The wording in `language`, else the first one it has: for a text the person must be
    /// told in some language rather than not at all (`map check` warns of the missing one).
    pub fn get_or_any(&self, language: Language) -> &str {
        match self {
            Label::Same(s) => s,
            Label::PerLanguage(by) => {
                by.get(&language).or_else(|| by.values().next()).map(String::as_str).unwrap_or_default()
            }
        }
    }

    /// An error message when a wording is empty.
    pub(crate) fn check(&self) -> Result<(), String> {
        let empty = match self {
            Label::Same(s) => s.trim().is_empty(),
            Label::PerLanguage(by) => by.is_empty() || by.values().any(|s| s.trim().is_empty()),
        };
        if empty { Err("its label is empty".into()) } else { Ok(()) }
    }
}

/// What an export would show by the CRM's own name in a language for want of a label: each
/// category (once), each entity, and each of its `columns` (the table's, but its row key, given in
/// the map's order of entities) that is not technical. One warning per thing, naming the
/// languages it lacks.
pub(crate) fn unlabelled(map: &DataMap, columns: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut warn = |what: String, label: Option<&Label>| {
        let missing: Vec<&str> =
            Language::ALL.iter().filter(|l| label.and_then(|x| x.get(**l)).is_none()).map(|l| l.as_str()).collect();
        if !missing.is_empty() {
            out.push(format!("{what} has no label in {}: exports show its name", missing.join(", ")));
        }
    };
    let mut categories: Vec<&str> = Vec::new();
    for (entity, columns) in map.entities.iter().zip(columns) {
        if !categories.contains(&entity.category.as_str()) {
            categories.push(&entity.category);
            warn(format!("category {:?}", entity.category), map.categories.get(&entity.category));
        }
        warn(format!("entity {:?}", entity.name), entity.label.as_ref());
        for column in columns.iter().filter(|c| !entity.is_technical(c)) {
            let label = entity.labels.iter().find(|(c, _)| c.as_str() == column.as_str()).map(|(_, l)| l);
            warn(format!("entity {:?}, column {column:?}", entity.name), label);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_reads_as_one_string_or_one_per_language() {
        let one: Label = serde_json::from_str("\"Prénom\"").unwrap();
        assert_eq!((one.get(Language::Fr), one.get(Language::En)), (Some("Prénom"), Some("Prénom")));
        let two: Label = serde_json::from_str(r#"{"fr": "Prénom", "en": "First name"}"#).unwrap();
        assert_eq!((two.get(Language::Fr), two.get(Language::En)), (Some("Prénom"), Some("First name")));
        let fr: Label = serde_json::from_str(r#"{"fr": "Prénom"}"#).unwrap();
        assert_eq!(fr.get(Language::En), None, "a language the label lacks has no wording");
        assert!(serde_json::from_str::<Label>(r#"{"de": "Vorname"}"#).is_err(), "only the languages gdprkit writes");
        assert!(Label::Same(" ".into()).check().is_err());
        assert!(Label::PerLanguage(BTreeMap::new()).check().is_err());
    }

    /// Art. 12(1): `map check` names what an export would show by the CRM's name, per language.
    #[test]
    fn what_lacks_a_label_is_named_with_the_languages_it_lacks() {
        let map = DataMap::from_toml(
            "[categories]\nidentity = { fr = \"Identité\" }\nunused = \"Unused\"\n[[entity]]\nname = \"contacts\"\n\
             table = \"contacts\"\nsubject_column = \"subject\"\ncategory = \"identity\"\non_erasure = \"delete\"\n\
             label = \"Contacts\"\n[entity.fields]\nname = { label = { fr = \"Nom\", en = \"Name\" } }\n\
             account = { kind = \"technical\" }\n",
        )
        .unwrap();
        let columns: Vec<String> = ["subject", "name", "account", "notes"].map(String::from).to_vec();
        let warnings = unlabelled(&map, &[columns]);
        assert_eq!(
            warnings,
            [
                "category \"identity\" has no label in en: exports show its name",
                "entity \"contacts\", column \"notes\" has no label in fr, en: exports show its name",
            ],
            "the subject column and technical fields need none"
        );
    }
}
