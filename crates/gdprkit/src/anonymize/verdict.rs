//! Whether what an erasure leaves of an entity is anonymized or only pseudonymized (rule A3,
//! WP29 Opinion 05/2014 on anonymisation techniques, section 4).
//!
//! An entity's rows are called anonymized only when every `identifier` field is removed (`null`,
//! `redact`, `replace`), every `quasi` and `free_text` field is removed or generalized, and every
//! column of the table is named in the map: a column the map does not name may hold anything.
//! `hash`, `pseudonymize` and `mask` keep linkability or singling out, and `keep` keeps the value:
//! on any field but a `non_personal` one they make the outcome pseudonymized. So does a field
//! whose kind the map does not declare, since nothing says what it holds.

use super::map::Entity;
use super::operators::Operator;
use super::plan::Outcome;

crate::named_enum::named_enum!(
    /// What a field holds, as the data map declares it (rule A1).
    FieldKind, "kind", {
        /// Identifies the person directly: name, e-mail address, phone number, postal address.
        Identifier => "identifier",
        /// Identifies in combination: birth date, postcode, job title, company.
        Quasi => "quasi",
        /// Free text, which may hold anything: notes, call summaries.
        FreeText => "free_text",
        /// Says nothing about a person: a product code, an amount on its own.
        NonPersonal => "non_personal",
        /// A key, a row id or a foreign key: says nothing about the person by itself, and is
        /// left out of an export's PDF (kept in its JSON).
        Technical => "technical",
    }
);

/// The verdict on an entity whose rows an erasure anonymizes field by field, given the columns
/// of its table (but its row key): anonymized, or pseudonymized with what made it so, one
/// sentence per field or column.
pub fn verdict(entity: &Entity, columns: &[String]) -> (Outcome, Vec<String>) {
    let mut why = Vec::new();
    for (column, op) in &entity.fields {
        if *column == entity.subject_column {
            continue;
        }
        let name = column.as_str();
        let removed = !op.keeps_a_link() && !matches!(op, Operator::Generalize(_));
        let generalized = matches!(op, Operator::Generalize(_));
        match entity.kinds.get(column) {
            None => why.push(format!(
                "field {name} declares no kind (identifier, quasi, free_text, non_personal or technical)"
            )),
            Some(FieldKind::NonPersonal | FieldKind::Technical) => {}
            Some(FieldKind::Identifier) if !removed => {
                why.push(format!("identifier {name} is {}, not removed", op_words(op)));
            }
            Some(kind @ (FieldKind::Quasi | FieldKind::FreeText)) if !removed && !generalized => {
                why.push(format!("{} field {name} is {}, not removed or generalized", kind.as_str(), op_words(op)));
            }
            Some(_) => {}
        }
    }
    for column in columns {
        let named = *column == entity.subject_column.as_str()
            || entity.fields.iter().any(|(c, _)| c.as_str() == column.as_str());
        if !named {
            why.push(format!("column {column} is not named in the data map, and may hold anything"));
        }
    }
    (if why.is_empty() { Outcome::Anonymized } else { Outcome::Pseudonymized }, why)
}

/// What an operator does to a value, in words.
fn op_words(op: &Operator) -> &'static str {
    match op {
        Operator::Keep => "kept",
        Operator::Hash => "hashed (linkable)",
        Operator::Pseudonymize => "pseudonymized (linkable under the key)",
        Operator::Mask { .. } => "masked (part of it kept)",
        Operator::Generalize(_) => "generalized",
        Operator::Null | Operator::Redact | Operator::Replace { .. } => "removed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::map::DataMap;

    fn entity(fields: &str) -> Entity {
        let map = format!(
            "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"subject\"\ncategory = \"identity\"\n\
             on_erasure = \"anonymize\"\n[entity.fields]\n{fields}"
        );
        DataMap::from_toml(&map).unwrap().entities.remove(0)
    }

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    /// WP29 Opinion 05/2014, section 4: removing identifiers and generalizing quasi-identifiers,
    /// with every column accounted for, is anonymization.
    #[test]
    fn every_column_named_and_removed_is_anonymized() {
        let e = entity(
            "email = { op = \"null\", kind = \"identifier\" }\nbirth = { op = \"generalize\", to = \"year\", kind = \"quasi\" }\n\
             notes = { op = \"redact\", kind = \"free_text\" }\nplan = { kind = \"non_personal\" }",
        );
        let (outcome, why) = verdict(&e, &columns(&["subject", "email", "birth", "notes", "plan"]));
        assert_eq!((outcome, why), (Outcome::Anonymized, vec![]));
    }

    /// WP29 Opinion 05/2014, section 4.2: a hashed identifier stays linkable.
    #[test]
    fn a_hashed_email_is_pseudonymized_and_named() {
        let e = entity("email = { op = \"hash\", kind = \"identifier\" }");
        let (outcome, why) = verdict(&e, &columns(&["subject", "email"]));
        assert_eq!(outcome, Outcome::Pseudonymized);
        assert_eq!(why, ["identifier email is hashed (linkable), not removed"]);
    }

    /// Rule A3: a column the map does not name may hold anything; a field with no kind says
    /// nothing of what it holds.
    #[test]
    fn an_unnamed_column_or_an_undeclared_kind_is_pseudonymized() {
        let e = entity("email = { op = \"null\", kind = \"identifier\" }\nnotes = \"null\"");
        let (outcome, why) = verdict(&e, &columns(&["subject", "email", "notes", "score"]));
        assert_eq!(outcome, Outcome::Pseudonymized);
        assert_eq!(why.len(), 2);
        assert!(why[0].contains("notes declares no kind"), "{why:?}");
        assert!(why[1].contains("column score is not named"), "{why:?}");
        let masked = entity("phone = { op = \"mask\", keep_last = 2, kind = \"quasi\" }");
        assert!(verdict(&masked, &columns(&["subject", "phone"])).1[0].contains("masked"));
    }
}
