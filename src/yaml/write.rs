//! Writing a value as a YAML scalar that reads back as the same text.

use serde_json::Value;

use super::parse_front_matter;

/// `value` written as a YAML scalar that reads back as exactly that text:
/// plain when the parser reads it so (`Instant payouts`), else double-quoted
/// with escapes (`"0x1F"`, which plain is the number 31; `"1.50"`; `"yes: no"`;
/// text with a line break). Everything `new` and `init` write goes through it.
pub(crate) fn scalar(value: &str) -> String {
    let plain_reads_back = !value.contains(['\n', '\r'])
        && parse_front_matter(&format!("v: {value}\n"))
            .is_ok_and(|map| map.len() == 1 && map.get("v").and_then(Value::as_str) == Some(value));
    if plain_reads_back {
        return value.to_string();
    }
    double_quoted(value)
}

/// `value` written as a scalar that reads back as exactly that text inside a
/// flow mapping (`{date: 2026-11-02, note: …}`) as well as in a block: plain
/// only where a comma or bracket cannot end it early, else double-quoted.
/// What `checkin` writes for a note goes through it.
pub(crate) fn flow_scalar(value: &str) -> String {
    let plain = scalar(value);
    let flow_reads_back = plain == value
        && parse_front_matter(&format!("v: {{n: {value}}}\n")).is_ok_and(|map| {
            map.get("v")
                .and_then(|v| v.get("n"))
                .and_then(Value::as_str)
                == Some(value)
        });
    if flow_reads_back {
        plain
    } else {
        double_quoted(value)
    }
}

fn double_quoted(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            // libyaml refuses control and line-separator characters written as they are.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                quoted.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_scalars_read_back_inside_a_flow_mapping() {
        assert_eq!(flow_scalar("Price test moved it"), "Price test moved it");
        assert_eq!(flow_scalar("a, b"), "\"a, b\"");
        for text in [
            "a, b", "x}", "[y]", "{z", "a: b", "#x", "yes", "1.5", "\"q\"",
        ] {
            let written = flow_scalar(text);
            let map = parse_front_matter(&format!("v: {{n: {written}, m: 1}}\n")).expect("reads");
            assert_eq!(map["v"]["n"].as_str(), Some(text), "{written}");
            let map = parse_front_matter(&format!("n: {written}\n")).expect("reads");
            assert_eq!(map["n"].as_str(), Some(text), "{written}");
        }
    }

    #[test]
    fn scalars_read_back_as_the_text_they_were_made_from() {
        assert_eq!(scalar("Instant payouts"), "Instant payouts");
        assert_eq!(scalar("0x1F"), "\"0x1F\"");
        assert_eq!(scalar("1.50"), "\"1.50\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("2026-11-24"), "2026-11-24");
        for text in [
            "0x1F",
            "1e3",
            "1.50",
            "yes",
            "null",
            "~",
            "- x",
            "a: b",
            "#x",
            "\"q\"",
            "'q'",
            "two\nlines",
            "@x",
            "`x",
            "%x",
            " padded ",
            "Launch 🚀",
            "",
            "true",
            "-1",
            ".nan",
            "inf",
            "a #b",
            "x:",
            "[a]",
            "{a}",
            "!tag",
            "&a",
            "*a",
            "|",
            ">",
            "?",
            "tab\there",
            "bell\u{7}",
            "sep\u{2028}",
            "back\\slash",
            "--- x",
            "...",
            "0o17",
            "+1",
        ] {
            let written = scalar(text);
            let map = parse_front_matter(&format!("v: {written}\n"))
                .unwrap_or_else(|e| panic!("{text:?} as {written}: {e:?}"));
            assert_eq!(
                map.get("v").and_then(Value::as_str),
                Some(text),
                "{written}"
            );
        }
    }
}
