//! Documentation generated from the code stays in sync.

#[test]
fn schema_document_is_up_to_date() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    assert!(
        doc == jianpai::io::schema::markdown(),
        "docs/schema.md is stale: run `cargo run -- schema > docs/schema.md`"
    );
}
