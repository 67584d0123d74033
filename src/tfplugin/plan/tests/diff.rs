//! Attribute paths that differ between two values.

use super::*;

#[test]
fn diff_paths() {
    let sch = schema();
    let a = with(
        prior(),
        &[(
            "rules",
            list(vec![obj(&[("name", s("r")), ("port", i(1))])]),
        )],
    );
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (a.clone(), vec![]),
        (
            with(a.clone(), &[("name", s("x")), ("size", i(2))]),
            vec!["name", "size"],
        ),
        (
            with(
                a.clone(),
                &[(
                    "rules",
                    list(vec![obj(&[("name", s("r")), ("port", i(2))])]),
                )],
            ),
            vec!["rules[0].port"],
        ),
        (with(a.clone(), &[("rules", list(vec![]))]), vec!["rules"]),
        (
            with(
                a.clone(),
                &[("labels", Value::Map([("b".to_string(), s("1"))].into()))],
            ),
            vec!["labels"],
        ),
        (
            with(
                a.clone(),
                &[("volume", list(vec![obj(&[("path", s("/x"))])]))],
            ),
            vec!["volume"],
        ),
    ];
    for (b, want) in cases {
        let got: Vec<String> = object_diff_paths(&sch, &a, &b)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(got, want);
    }
    let m1 = with(
        prior(),
        &[(
            "envs",
            Value::Map([("A".to_string(), obj(&[("value", s("1"))]))].into()),
        )],
    );
    let m2 = with(
        prior(),
        &[(
            "envs",
            Value::Map(
                [
                    ("A".to_string(), obj(&[("value", s("2"))])),
                    ("B".to_string(), obj(&[("value", s("1"))])),
                ]
                .into(),
            ),
        )],
    );
    let got: Vec<String> = object_diff_paths(&sch, &m1, &m2)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(got, vec!["envs[\"A\"].value", "envs[\"B\"]"]);
    assert_eq!(
        object_diff_paths(&sch, &Value::Null, &prior()),
        vec![AttributePath::root()]
    );
}
