//! The built-in suites, compiled into the binary so an installed certifier works anywhere.

/// `(file name, YAML text)` of every built-in suite, in run order.
pub const BUILTIN: &[(&str, &str)] = &[
    ("health.yaml", include_str!("../../suites/health.yaml")),
    ("info.yaml", include_str!("../../suites/info.yaml")),
    ("deploy.yaml", include_str!("../../suites/deploy.yaml")),
    ("invoke.yaml", include_str!("../../suites/invoke.yaml")),
    ("scale.yaml", include_str!("../../suites/scale.yaml")),
    ("secrets.yaml", include_str!("../../suites/secrets.yaml")),
    ("delete.yaml", include_str!("../../suites/delete.yaml")),
    (
        "namespaces.yaml",
        include_str!("../../suites/namespaces.yaml"),
    ),
    ("logs.yaml", include_str!("../../suites/logs.yaml")),
    ("auth.yaml", include_str!("../../suites/auth.yaml")),
];
