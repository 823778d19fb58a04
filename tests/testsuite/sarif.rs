//! `--format sarif`: a SARIF 2.1.0 log that validates against the schema,
//! with one rule entry per rule id.

use crate::support::SiteTest;

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let schema_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-2.1.0-rtm.5.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    // The published schema's pattern for `language` properties has a stray `]`, which strict
    // regex checking rejects. We emit no `language`; fix the typo in memory, not in the file.
    let fixed = fix_language_patterns(&mut schema);
    assert!(fixed >= 1, "the known typo is in the vendored schema");
    let validator = jsonschema::draft4::new(&schema).expect("the vendored schema compiles");

    for fixture in ["health-planted", "structural", "healthy"] {
        let site = SiteTest::fixture(fixture);
        let run = site.run(&[
            "check",
            "ROOT",
            "--format",
            "sarif",
            "--today",
            "2026-11-24",
        ]);
        let log: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{fixture}: not JSON: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
        if fixture == "health-planted" {
            // The validator does reject what the schema forbids.
            let mut broken = log.clone();
            broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
            assert!(!validator.is_valid(&broken));
        }

        let run0 = &log["runs"][0];
        let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let mut expected: Vec<&str> = throughline::rules::STRUCTURAL_RULES.to_vec();
        expected.extend(throughline::rules::BUILD_NOTES);
        expected.extend(throughline::rules::HEALTH_RULES);
        assert_eq!(rules, expected, "one rule entry per rule id");
        for rule in run0["tool"]["driver"]["rules"].as_array().unwrap() {
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        }
        let json = site
            .run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"])
            .json();
        let results = run0["results"].as_array().unwrap();
        assert_eq!(
            results.len(),
            json.len(),
            "{fixture}: one result per diagnostic"
        );
        for (result, diag) in results.iter().zip(&json) {
            assert_eq!(result["ruleId"], diag["rule"]);
            assert_eq!(
                result["locations"][0]["physicalLocation"]["region"]["startLine"],
                diag["line"]
            );
            assert_eq!(
                rules[result["ruleIndex"].as_u64().unwrap() as usize],
                diag["rule"].as_str().unwrap()
            );
        }
    }
}

#[test]
fn sarif_paths_are_relative_to_the_working_directory() {
    let site = SiteTest::fixture("health-planted");
    let parent = site.root().parent().unwrap();
    let name = site
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let run = crate::support::run_binary(
        &[
            "check".into(),
            name.clone(),
            "--format".into(),
            "sarif".into(),
            "--today".into(),
            "2026-11-24".into(),
        ],
        &[],
        parent,
    );
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, format!("{name}/bets/bet-big-a.md"));
}

/// Replaces the published (invalid) language-tag pattern everywhere in `value`; returns how many.
fn fix_language_patterns(value: &mut serde_json::Value) -> usize {
    const TYPO: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(s) if s == TYPO => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
            1
        }
        serde_json::Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        serde_json::Value::Object(map) => map.values_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}
