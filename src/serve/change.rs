//! What a changed path is to `serve`: one function, [`classify`], decides
//! from the path alone (and whether it is a folder) whether a change can
//! matter and whether it reloads everything.

use crate::config;
use crate::source::SourceFilter;

/// What a changed path is, for deciding what to rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    /// `throughline.yaml`: every page and the schema can change.
    Config,
    /// Under `templates/`: a template override.
    Template,
    /// Under `static/`: copied as they are, winning over generated files.
    Static,
    /// Under the config's theme folder.
    Theme,
    /// A Markdown file that is content.
    Document,
    /// A tracker's export the config names: its items can be anywhere.
    Export,
    /// A folder (new or renamed): the documents under it are read.
    Folder,
    /// Anything else that is not hidden: it matters only if it held
    /// documents or an unreadable file (a deleted folder, a file made
    /// unreadable), which only the caller knows.
    Other,
    /// Hidden (editor swap files, `.git`) or the root itself: never matters.
    Irrelevant,
}

impl ChangeKind {
    /// Whether a change of this kind can touch every page, so the site is loaded again from scratch.
    pub(crate) fn reloads_everything(self) -> bool {
        matches!(
            self,
            ChangeKind::Config
                | ChangeKind::Template
                | ChangeKind::Static
                | ChangeKind::Theme
                | ChangeKind::Export
        )
    }
}

/// What the change at `rel` (root-relative, `/`-separated) is. `filter` is
/// the site's (`None` before a site has loaded: any Markdown file may then
/// be content), `theme` the config's theme folder (`None` for the default
/// theme).
pub(crate) fn classify(
    rel: &str,
    is_dir: bool,
    filter: Option<&SourceFilter>,
    theme: Option<&str>,
) -> ChangeKind {
    if rel.is_empty() || rel.split('/').any(|p| p.starts_with('.')) {
        return ChangeKind::Irrelevant;
    }
    let first = rel.split('/').next().unwrap_or("");
    if rel == config::CONFIG_FILE {
        ChangeKind::Config
    } else if first == "templates" {
        ChangeKind::Template
    } else if first == "static" {
        ChangeKind::Static
    } else if theme.is_some_and(|t| rel.starts_with(t.trim_end_matches('/'))) {
        ChangeKind::Theme
    } else if filter.map_or(rel.ends_with(".md"), |f| f.is_document(rel)) {
        ChangeKind::Document
    } else if is_dir {
        ChangeKind::Folder
    } else {
        ChangeKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config as SiteConfig;
    use ChangeKind::*;

    #[test]
    fn each_path_is_the_kind_of_change_it_names() {
        let config = SiteConfig {
            ignore: vec!["drafts/**".into(), "README.md".into()],
            ..SiteConfig::default()
        };
        let filter = SourceFilter::new(&config, std::path::Path::new("."), None);
        let table: &[(&str, bool, ChangeKind)] = &[
            ("", true, Irrelevant),
            (".git/index", false, Irrelevant),
            ("bets/.bet-a.md.swp", false, Irrelevant),
            (".hidden/bet-a.md", false, Irrelevant),
            ("throughline.yaml", false, Config),
            ("bets/throughline.yaml", false, Other),
            ("templates", true, Template),
            ("templates/page.html", false, Template),
            ("static/logo.png", false, Static),
            ("static/notes.md", false, Static),
            ("my-theme/templates/page.html", false, Theme),
            ("my-theme", true, Theme),
            ("bets/bet-a.md", false, Document),
            ("bet-a.md", false, Document),
            ("README.md", false, Other),
            ("drafts/bet-b.md", false, Other),
            ("drafts", true, Folder),
            ("public/bet-a.md", false, Other),
            ("bets", true, Folder),
            ("work/new", true, Folder),
            ("work/gone", false, Other),
            ("bets/picture.png", false, Other),
        ];
        for &(rel, is_dir, kind) in table {
            assert_eq!(
                classify(rel, is_dir, Some(&filter), Some("my-theme/")),
                kind,
                "{rel}"
            );
        }
        assert_eq!(
            classify("my-theme/x.html", false, Some(&filter), None),
            Other
        );
        assert_eq!(classify("README.md", false, None, None), Document);
        assert_eq!(classify("notes.txt", false, None, None), Other);
        assert_eq!(classify(".git/HEAD", false, None, None), Irrelevant);
        assert!(Config.reloads_everything() && Theme.reloads_everything());
        assert!(!Document.reloads_everything() && !Folder.reloads_everything());
    }
}
