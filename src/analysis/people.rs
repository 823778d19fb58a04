//! Who is who: the site's `person` documents, and which of them each
//! `owner:`, `approval.approver` and review `participants` entry names.
//! One resolution for the `unknown-person` rule, the person pages, the
//! owner links on every page and the editor's completion.

use foldhash::{HashMap, HashMapExt};

use crate::graph::DocId;
use crate::model::Document;

/// The kind of a person document.
pub(crate) const PERSON_KIND: &str = "person";

/// The people of a site and what they own. Empty, and nothing is resolved,
/// when the site has no person document: `owner:` stays free text.
#[derive(Debug, Default)]
pub struct People {
    /// Every spelling of every person ([`person_key`]), to the person; the
    /// first person in file order keeps a spelling two of them share.
    by_key: HashMap<String, DocId>,
    /// The person documents, in file order.
    people: Vec<DocId>,
    /// Each document's resolved `owner:`; empty when the site has no people.
    owners: Vec<Option<DocId>>,
    /// What each person owns, in file order.
    owned: HashMap<DocId, Vec<DocId>>,
    /// What each person approves (`approval.approver`), in file order.
    approved: HashMap<DocId, Vec<DocId>>,
    /// The reviews each person took part in (`participants`), in file order.
    took_part: HashMap<DocId, Vec<DocId>>,
}

/// How a name is compared: trimmed, without a leading `@`, in lowercase,
/// so `@Ana`, `ana` and ` ANA ` are one person.
pub(crate) fn person_key(name: &str) -> String {
    let name = name.trim();
    name.strip_prefix('@').unwrap_or(name).trim().to_lowercase()
}

impl People {
    /// Indexes the person documents of `docs` and resolves every owner.
    pub(crate) fn compute(docs: &[Document]) -> People {
        let people: Vec<DocId> = DocId::all(docs.len())
            .filter(|&i| docs[i].kind == PERSON_KIND && !docs[i].invalid)
            .collect();
        if people.is_empty() {
            return People::default();
        }
        let mut by_key = HashMap::with_capacity(people.len() * 3);
        for &p in &people {
            let d = &docs[p];
            let names = std::iter::once(d.id.as_str())
                .chain((!d.title.trim().is_empty()).then_some(d.title.as_str()))
                .chain(d.handles.iter().map(String::as_str));
            for name in names {
                let key = person_key(name);
                if !key.is_empty() {
                    by_key.entry(key).or_insert(p);
                }
            }
        }
        let mut index = People {
            by_key,
            people,
            owners: Vec::new(),
            owned: HashMap::new(),
            approved: HashMap::new(),
            took_part: HashMap::new(),
        };
        index.owners = docs
            .iter()
            .map(|d| d.owner.as_deref().and_then(|o| index.find(o)))
            .collect();
        for (doc, owner) in DocId::all(index.owners.len()).zip(&index.owners) {
            if let Some(p) = owner {
                index.owned.entry(*p).or_default().push(doc);
            }
        }
        // Resolved by `find`, as `unknown-person` resolves them.
        for (doc, d) in DocId::all(docs.len()).zip(docs) {
            let approver = d.approval.as_ref().and_then(|a| a.approver.as_deref());
            if let Some(p) = approver.and_then(|a| index.find(a)) {
                index.approved.entry(p).or_default().push(doc);
            }
            let mut seen: Vec<DocId> = Vec::new();
            for p in d.participants.iter().filter_map(|who| index.find(who)) {
                // A person named twice (by name and by handle) took part once.
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
            for p in seen {
                index.took_part.entry(p).or_default().push(doc);
            }
        }
        index
    }

    /// Whether the site has people: only then are names checked and linked.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The person documents, in file order.
    pub fn all(&self) -> &[DocId] {
        &self.people
    }

    /// The person `name` is: an id, a name or a handle, in any case, with or without `@`.
    pub fn find(&self, name: &str) -> Option<DocId> {
        self.by_key.get(&person_key(name)).copied()
    }

    /// The person `doc`'s `owner:` names, if the site has people and it names one.
    pub fn owner_of(&self, doc: DocId) -> Option<DocId> {
        self.owners.get(doc.index()).copied().flatten()
    }

    /// What `person` owns, in file order.
    pub fn owned_by(&self, person: DocId) -> &[DocId] {
        self.owned.get(&person).map_or(&[], Vec::as_slice)
    }

    /// What `person` approves (`approval.approver`), in file order.
    pub fn approved_by(&self, person: DocId) -> &[DocId] {
        self.approved.get(&person).map_or(&[], Vec::as_slice)
    }

    /// The documents whose `participants` name `person`, in file order.
    pub fn took_part_in(&self, person: DocId) -> &[DocId] {
        self.took_part.get(&person).map_or(&[], Vec::as_slice)
    }

    /// Every spelling a person is known by, for "did you mean".
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        self.by_key.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::site;

    #[test]
    fn owners_resolve_by_id_name_or_handle_in_any_case() {
        let ana = (
            "people/ana-lima.md",
            "---\nid: ana-lima\nkind: person\ntitle: Ana Lima\nhandles: [analima, ana@example.com]\n---\n",
        );
        let doc = |id: &str, owner: &str| {
            (
                format!("{id}.md"),
                format!("---\nid: {id}\nkind: page\nowner: \"{owner}\"\n---\n"),
            )
        };
        let texts = [
            doc("a", "ana-lima"),
            doc("b", "ana lima"),
            doc("c", "@AnaLima"),
            doc("d", "ANA@example.com"),
            doc("e", "Ana"),
        ];
        let mut files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        files.push(ana);
        let site = site("", &files, "2026-11-24");
        let people = &site.facts.people();
        let ana = site.graph.lookup("ana-lima").unwrap();
        let owner = |id: &str| people.owner_of(site.graph.lookup(id).unwrap());
        for id in ["a", "b", "c", "d"] {
            assert_eq!(owner(id), Some(ana), "{id}");
        }
        assert_eq!(owner("e"), None);
        let owned: Vec<&str> = people
            .owned_by(ana)
            .iter()
            .map(|&d| site.docs[d].id.as_str())
            .collect();
        assert_eq!(owned, ["a", "b", "c", "d"]);
    }

    #[test]
    fn approvers_and_participants_resolve_as_owners_do_and_count_once() {
        let ana = (
            "people/ana-lima.md",
            "---\nid: ana-lima\nkind: person\ntitle: Ana Lima\nhandles: ['@analima']\n---\n",
        );
        let files = [
            ana,
            (
                "b.md",
                "---\nid: b\nkind: bet\napproval: {level: product, approver: '@AnaLima'}\n---\n",
            ),
            (
                "c.md",
                "---\nid: c\nkind: bet\napproval: {approver: Zed}\n---\n",
            ),
            (
                "r.md",
                "---\nid: r\nkind: review\nparticipants: [ana lima, analima, Zed]\n---\n",
            ),
        ];
        let site = site("", &files, "2026-11-24");
        let people = site.facts.people();
        let ana = site.graph.lookup("ana-lima").unwrap();
        let ids = |docs: &[crate::graph::DocId]| -> Vec<String> {
            docs.iter().map(|&d| site.docs[d].id.clone()).collect()
        };
        assert_eq!(ids(people.approved_by(ana)), ["b"]);
        assert_eq!(ids(people.took_part_in(ana)), ["r"]);
    }

    #[test]
    fn a_site_without_people_resolves_nothing() {
        let site = site(
            "",
            &[("a.md", "---\nid: a\nkind: page\nowner: Ana\n---\n")],
            "2026-11-24",
        );
        assert!(site.facts.people().is_empty());
        assert_eq!(
            site.facts.people().owner_of(crate::graph::DocId::new(0)),
            None
        );
        assert_eq!(site.facts.people().find("a"), None);
    }
}
