use crate::common::TestEnv;

#[test]
fn init_creates_settings_folders_repository_and_first_commit() {
    let env = TestEnv::new();
    assert_eq!(
        env.files(),
        [
            ".gitattributes",
            ".gitignore",
            "assets/.gitkeep",
            "campaigns/.gitkeep",
            "customers/.gitkeep",
            "deals/.gitkeep",
            "interactions/.gitkeep",
            "orders/.gitkeep",
            "products/.gitkeep",
            "relate.yaml",
            "tickets/.gitkeep",
        ]
    );
    assert!(
        env.read("relate.yaml")
            .starts_with("# relate store settings.")
    );
    assert_eq!(env.commits(), ["init: new relate store"]);
    assert!(!env.is_dirty());
}

#[test]
fn init_registers_the_merge_driver_for_record_files() {
    let env = TestEnv::new();
    let attributes = env.read(".gitattributes");
    for pattern in [
        "customers/*.yaml merge=relate",
        "deals/*.yaml merge=relate",
        "products/*.yaml merge=relate",
        "interactions/*/*/*.yaml merge=relate",
        "orders/*/*/*.yaml merge=relate",
    ] {
        assert!(
            attributes.lines().any(|l| l == pattern),
            "{pattern} in {attributes}"
        );
    }
    let repo = git2::Repository::open(env.store()).unwrap();
    let config = repo
        .config()
        .unwrap()
        .open_level(git2::ConfigLevel::Local)
        .unwrap();
    let driver = config.get_string("merge.relate.driver").unwrap();
    let relate = std::fs::canonicalize(env!("CARGO_BIN_EXE_relate")).unwrap();
    assert_eq!(
        driver,
        format!("'{}' merge-driver %O %A %B %P", relate.display())
    );
}

#[test]
fn init_on_an_existing_store_fails_and_changes_nothing() {
    let env = TestEnv::new();
    env.write("relate.yaml", "schema: 1\n");
    let stderr = env.run(&["init", "store"]).fails(1);
    assert!(stderr.contains("already a relate store"), "{stderr}");
    assert_eq!(env.read("relate.yaml"), "schema: 1\n");
    assert_eq!(env.commits().len(), 1);
}

#[test]
fn init_inside_a_larger_repository_commits_only_the_store() {
    let env = TestEnv::empty();
    let outer = git2::Repository::init(env.path()).unwrap();
    std::fs::write(env.path().join("notes.txt"), "mine\n").unwrap();
    let mut index = outer.index().unwrap();
    index.add_path(std::path::Path::new("notes.txt")).unwrap();
    index.write().unwrap();

    env.run(&["init", "store"]).ok();
    assert!(!env.store().join(".git").exists(), "no nested repository");
    let files = env.last_commit_files();
    assert!(files.iter().all(|f| f.starts_with("store/")), "{files:?}");
    assert!(files.contains(&"store/relate.yaml".to_string()));
    // The user's own staged file is still staged, not committed.
    let head = outer.head().unwrap().peel_to_tree().unwrap();
    assert!(head.get_path(std::path::Path::new("notes.txt")).is_err());
    assert!(
        outer
            .index()
            .unwrap()
            .get_path(std::path::Path::new("notes.txt"), 0)
            .is_some()
    );
}

#[test]
fn store_is_found_from_a_subfolder_and_missing_store_says_how_to_make_one() {
    let env = TestEnv::new();
    let sub = env.store().join("customers");
    let out = env
        .command()
        .env_remove("RELATE_STORE")
        .current_dir(&sub)
        .args(["customer", "add", "Found Ltd"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "found-ltd\n");

    let nowhere = TestEnv::empty();
    let out = nowhere
        .command()
        .env_remove("RELATE_STORE")
        .args(["customer", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: not inside a relate store"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: create one with `relate init DIR`"),
        "{stderr}"
    );
}

#[test]
fn a_store_without_an_author_cannot_be_created() {
    let env = TestEnv::empty();
    let out = env
        .command()
        .env_remove("RELATE_AUTHOR")
        .args(["init", "store"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RELATE_AUTHOR"));
    assert!(!env.store().exists(), "nothing was created");
}

#[test]
fn only_init_and_sync_configure_a_larger_repository_holding_the_store() {
    let env = TestEnv::empty();
    let outer = git2::Repository::init(env.path()).unwrap();
    env.run(&["init", "store"]).ok();
    let driver = || {
        outer
            .config()
            .unwrap()
            .open_level(git2::ConfigLevel::Local)
            .unwrap()
            .get_string("merge.relate.driver")
    };
    assert!(driver().is_ok(), "init sets up the driver");
    outer
        .config()
        .unwrap()
        .open_level(git2::ConfigLevel::Local)
        .unwrap()
        .remove("merge.relate.driver")
        .unwrap();
    env.run(&["customer", "list"]).ok();
    assert!(
        driver().is_err(),
        "other commands leave the larger repository alone"
    );
    env.run(&["sync"]).fails(1);
    assert!(driver().is_ok(), "sync sets it up before it merges");
}

#[test]
fn a_store_inside_a_store_is_refused() {
    let env = TestEnv::new();
    let stderr = env.run(&["init", "store/customers/nested"]).fails(1);
    assert!(stderr.contains("is inside the relate store"), "{stderr}");
    assert!(!env.store().join("customers/nested").exists());
    assert_eq!(env.commits().len(), 1);
}
