//! How a document's body changed, as a reader would say it: which sections
//! (the text under each heading) changed, and a short word-level excerpt of
//! each change. The one comparison of two bodies behind `diff` and the
//! changes page.

use serde::{Deserialize, Serialize};

/// Words of unchanged text shown on each side of a change.
const CONTEXT_WORDS: usize = 6;
/// Words shown of what was removed or added; more are cut with `…`.
const EXCERPT_WORDS: usize = 30;

/// One section of a body that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionChange {
    /// The heading's text; empty for the text before the first heading.
    pub heading: String,
    /// Whether the section was added, removed or edited.
    pub how: SectionEdit,
    /// The change in words; `None` when only the heading's place changed
    /// nothing a reader sees (a section added or removed empty).
    pub excerpt: Option<WordChange>,
}

/// What happened to a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionEdit {
    /// Its text changed.
    Edited,
    /// It is new.
    Added,
    /// It is gone.
    Removed,
}

/// A change within a section's words: the unchanged words before it, the
/// words removed, the words added and the unchanged words after. Raw text
/// from the document: whoever shows it escapes and marks it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordChange {
    /// Unchanged words before the change (`…` first when there are more).
    pub before: String,
    /// The words removed.
    pub removed: String,
    /// The words added.
    pub added: String,
    /// Unchanged words after the change (`…` last when there are more).
    pub after: String,
}

/// A body cut at its headings: `(heading, words)`, the text before the
/// first heading under an empty heading. Headings inside fenced code are text.
fn sections(body: &str) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = vec![(String::new(), Vec::new())];
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        if fence.is_none() && marker.is_none() {
            if let Some(heading) = heading(line) {
                out.push((heading, Vec::new()));
                continue;
            }
        }
        if let Some((_, words)) = out.last_mut() {
            words.extend(line.split_whitespace());
        }
    }
    out
}

/// An ATX heading's text (`## For whom ##` is `For whom`).
fn heading(line: &str) -> Option<String> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let level = rest.len() - rest.trim_start_matches('#').len();
    if indent > 3 || !(1..=6).contains(&level) {
        return None;
    }
    let text = &rest[level..];
    if !(text.is_empty() || text.starts_with([' ', '\t'])) {
        return None;
    }
    Some(text.trim().trim_end_matches('#').trim_end().to_string())
}

/// The sections whose words changed between two bodies, in the new body's
/// order, removed sections after. Sections are matched by heading (the
/// second `## Risks` with the second); words are compared, not lines, so
/// re-wrapping a paragraph is no change.
pub fn section_changes(old: &str, new: &str) -> Vec<SectionChange> {
    let (old, new) = (sections(old), sections(new));
    matched(&old, &new)
        .into_iter()
        .map(|(heading, how, i, j)| {
            let a: &[&str] = i.map_or(&[], |k| &old[k].1);
            let b: &[&str] = j.map_or(&[], |k| &new[k].1);
            SectionChange {
                heading,
                how,
                excerpt: (!(a.is_empty() && b.is_empty())).then(|| word_change(a, b)),
            }
        })
        .collect()
}

/// Each section's heading and a hash of its words: what the site's history
/// keeps of a body, so that the changes page can say which sections a
/// commit changed without keeping every version's text.
pub fn section_hashes(body: &str) -> Vec<(String, u64)> {
    sections(body)
        .into_iter()
        .map(|(heading, words)| (heading, crate::hash::stable_hash(&words.join(" "))))
        .collect()
}

/// The headings of the sections whose words differ between two bodies'
/// [`section_hashes`], as [`section_changes`] matches them.
pub fn changed_sections(old: &[(String, u64)], new: &[(String, u64)]) -> Vec<String> {
    matched(old, new)
        .into_iter()
        .map(|(heading, ..)| heading)
        .collect()
}

/// Sections whose content (`T`: words, or their hash) differs, matched by
/// heading and occurrence: `(heading, how, index in old, index in new)`,
/// in the new order, then the removed. The one matching both comparisons use.
fn matched<T: PartialEq + Empty>(
    old: &[(String, T)],
    new: &[(String, T)],
) -> Vec<(String, SectionEdit, Option<usize>, Option<usize>)> {
    let key = |all: &[(String, T)], i: usize| {
        let heading = &all[i].0;
        let nth = all[..i].iter().filter(|(h, _)| h == heading).count();
        (heading.clone(), nth)
    };
    let old_keys: Vec<(String, usize)> = (0..old.len()).map(|i| key(old, i)).collect();
    let new_keys: Vec<(String, usize)> = (0..new.len()).map(|i| key(new, i)).collect();
    let mut out = Vec::new();
    for (j, (heading, content)) in new.iter().enumerate() {
        match old_keys.iter().position(|k| *k == new_keys[j]) {
            Some(i) if old[i].1 == *content => {}
            Some(i) => out.push((heading.clone(), SectionEdit::Edited, Some(i), Some(j))),
            // The text before the first heading is always there, empty or not.
            None if heading.is_empty() && content.is_empty() => {}
            None => out.push((heading.clone(), SectionEdit::Added, None, Some(j))),
        }
    }
    for (i, (heading, content)) in old.iter().enumerate() {
        let empty_lead = heading.is_empty() && content.is_empty();
        if !empty_lead && !new_keys.contains(&old_keys[i]) {
            out.push((heading.clone(), SectionEdit::Removed, Some(i), None));
        }
    }
    out
}

/// Whether a section's content is nothing.
trait Empty {
    fn is_empty(&self) -> bool;
}

impl Empty for Vec<&str> {
    fn is_empty(&self) -> bool {
        <[&str]>::is_empty(self)
    }
}

impl Empty for u64 {
    fn is_empty(&self) -> bool {
        *self == crate::hash::stable_hash("")
    }
}

/// The words that differ between `old` and `new` (between their common
/// beginning and common end), with a little unchanged text around them.
fn word_change(old: &[&str], new: &[&str]) -> WordChange {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let before_from = prefix.saturating_sub(CONTEXT_WORDS);
    let mut before = if before_from > 0 {
        "… ".to_string()
    } else {
        String::new()
    };
    before.push_str(&new[before_from..prefix].join(" "));
    let after_end = (new.len() - suffix + CONTEXT_WORDS).min(new.len());
    let mut after = new[new.len() - suffix..after_end].join(" ");
    if after_end < new.len() {
        after.push_str(" …");
    }
    WordChange {
        before,
        removed: excerpt(&old[prefix..old.len() - suffix]),
        added: excerpt(&new[prefix..new.len() - suffix]),
        after,
    }
}

fn excerpt(words: &[&str]) -> String {
    let mut text = words[..words.len().min(EXCERPT_WORDS)].join(" ");
    if words.len() > EXCERPT_WORDS {
        text.push_str(" …");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_named_by_its_heading_with_the_words_that_changed() {
        let old = "Intro.\n\n## For whom\n\nSmall merchants who sell\nonline.\n\n## Why now\n\nRates fell.\n";
        let new = "Intro.\n\n## For whom\n\nSmall merchants who sell online and in shops.\n\n## Why now\n\nRates fell.\n\n## Risks\n\nFraud.\n";
        let changes = section_changes(old, new);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].heading, "For whom");
        assert_eq!(changes[0].how, SectionEdit::Edited);
        assert_eq!(
            changes[0].excerpt,
            Some(WordChange {
                before: "Small merchants who sell".into(),
                removed: "online.".into(),
                added: "online and in shops.".into(),
                after: String::new(),
            })
        );
        assert_eq!(changes[1].heading, "Risks");
        assert_eq!(changes[1].how, SectionEdit::Added);
    }

    #[test]
    fn rewrapping_is_no_change_and_code_is_not_a_heading() {
        let old = "# T\n\nOne two\nthree.\n\n```\n# not a heading\n```\n";
        let new = "# T\n\nOne two three.\n\n```\n# not a heading\n```\n";
        assert!(section_changes(old, new).is_empty());
        let moved = section_changes("## A\n\nx\n", "## B\n\nx\n");
        assert_eq!(
            moved
                .iter()
                .map(|c| (c.heading.as_str(), c.how))
                .collect::<Vec<_>>(),
            [("B", SectionEdit::Added), ("A", SectionEdit::Removed)]
        );
    }

    #[test]
    fn hashes_name_the_sections_the_words_name() {
        let old = "Intro.\n\n## For whom\n\nSmall merchants.\n\n## Why now\n\nRates fell.\n";
        let new =
            "Intro.\n\n## For whom\n\nAll merchants.\n\n## Why now\n\nRates\nfell.\n\n## Risks\n";
        let by_words: Vec<String> = section_changes(old, new)
            .into_iter()
            .map(|c| c.heading)
            .collect();
        assert_eq!(by_words, ["For whom", "Risks"]);
        assert_eq!(
            changed_sections(&section_hashes(old), &section_hashes(new)),
            by_words
        );
        assert!(changed_sections(&section_hashes(""), &section_hashes("\n\n")).is_empty());
    }

    #[test]
    fn long_changes_are_cut_with_context_around_them() {
        let old: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let mut new = old.clone();
        new[50] = "changed".into();
        let change = word_change(
            &old.iter().map(String::as_str).collect::<Vec<_>>(),
            &new.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert_eq!(change.before, "… w44 w45 w46 w47 w48 w49");
        assert_eq!(
            (change.removed.as_str(), change.added.as_str()),
            ("w50", "changed")
        );
        assert_eq!(change.after, "w51 w52 w53 w54 w55 w56 …");
        let all = word_change(&[], &new.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(all.added.ends_with(" …") && all.added.split(' ').count() == EXCERPT_WORDS + 1);
    }
}
