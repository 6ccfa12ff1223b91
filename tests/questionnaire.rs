//! The library path of `examples/questionnaire.rs` on `tests/data/responses.csv`.
//!
//! The sample holds 8 customers (`C-01`..`C-08`): all answered the four ahead-of-trend items
//! (`at4` reverse-keyed), 7 answered some of the three expected-benefit items. Reference alphas
//! are from pingouin 0.7.0 (`cronbach_alpha(df, nan_policy="listwise")` on the recoded answers).
#![cfg(feature = "csv")]

use lead_customers::evidence::{Construct, QuestionnaireParams};

fn report_json(reverse: &[&str]) -> serde_json::Value {
    let mut params = QuestionnaireParams::empty();
    for spec in [
        "ahead_of_trend=at1,at2,at3,at4",
        "expected_benefit=heb1,heb2,heb3",
    ] {
        params = params.with_construct(spec.parse::<Construct>().unwrap());
    }
    for item in reverse {
        params = params.with_reverse_keyed(item).unwrap();
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/responses.csv");
    let answers = params.check().unwrap().read_answers(path).unwrap();
    serde_json::to_value(answers.report()).unwrap()
}

fn close(value: &serde_json::Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

#[test]
fn the_sample_reports_pingouins_alphas_and_the_construct_scores() {
    let json = report_json(&["at4"]);
    let constructs = json["constructs"].as_array().unwrap();
    assert_eq!(constructs.len(), 2);
    assert_eq!(constructs[0]["name"], "ahead_of_trend");
    assert_eq!(constructs[0]["items"], 4);
    assert_eq!(constructs[0]["respondents"], 8);
    assert!(
        close(&constructs[0]["alpha"], 0.9578947368421051),
        "{}",
        constructs[0]
    );
    assert_eq!(constructs[1]["name"], "expected_benefit");
    assert_eq!(constructs[1]["items"], 3);
    assert_eq!(constructs[1]["respondents"], 4);
    assert!(
        close(&constructs[1]["alpha"], 0.9064748201438849),
        "{}",
        constructs[1]
    );
    for c in constructs {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["alpha", "items", "name", "respondents"]);
    }

    let scores = json["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 8);
    assert_eq!(scores[0]["customer_id"], "C-01");
    assert!(close(&scores[0]["ahead_of_trend"], 4.25)); // 4, 5, 4 and 6 − 2
    assert!(close(&scores[0]["expected_benefit"], 4.5)); // 4 and 5 of 3 items
    assert!(scores[6]["expected_benefit"].is_null()); // 1 of 3 items answered
    assert!(scores[7]["expected_benefit"].is_null()); // none answered
    assert!(close(&scores[7]["ahead_of_trend"], 4.75));
}

#[test]
fn forgetting_the_reverse_keyed_item_shows_in_alpha() {
    let json = report_json(&[]);
    // pingouin 0.7.0 on the unrecoded items: -0.306513409961686.
    assert!(close(&json["constructs"][0]["alpha"], -0.306513409961686));
}
