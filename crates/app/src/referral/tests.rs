use super::*;

#[test]
fn common_path_is_the_lowest_shared_ancestor() {
    assert_eq!(
        common_path("/1/2s/9ix/", "/1/2s/a/").as_deref(),
        Some("/1/2s/")
    );
    assert_eq!(common_path("/1/2s/", "/1/2s/a/").as_deref(), Some("/1/2s/"));
    assert_eq!(common_path("/1/2/", "/1/20/").as_deref(), Some("/1/"));
    assert_eq!(common_path("/1/", "/2/"), None);
}
