//! Feeds arbitrary bytes, read as UTF-8, to the suite loader: it must return a suite or an
//! error naming the file, and never panic or hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

const FILE: &str = "fuzz.yaml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = faas_certifier::suite::load_str(FILE, text) {
        let message = e.to_string();
        assert!(
            message.starts_with(FILE) && message.len() > FILE.len(),
            "an error that does not name the file: {message:?}"
        );
    }
});
