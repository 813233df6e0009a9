//! `relate monitor`: turned on and off per clone, started by the first read
//! that wants it, and refused where it cannot serve. That its answers equal
//! reading the files is `cache::answers_with_the_monitor_equal_answers_from_the_files`.

use std::time::{Duration, Instant};

use crate::common::TestEnv;

fn status(env: &TestEnv) -> serde_json::Value {
    env.json(&["monitor", "status"])
}

/// The status once `running` is `wanted`, or after ten seconds.
fn status_once(env: &TestEnv, wanted: bool) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let now = status(env);
        if now["running"] == wanted || started.elapsed() > Duration::from_secs(10) {
            return now;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_monitor_is_turned_on_and_off_per_clone_and_never_committed() {
    let env = TestEnv::with_basics();
    assert_eq!(
        status(&env),
        serde_json::json!({
            "enabled": false, "running": false, "pid": null, "folders": null, "started": null,
            "failed": null
        })
    );
    assert_eq!(
        env.run(&["monitor", "status"]).ok(),
        "enabled  running  pid  folders  started  failed\nno       no\n"
    );
    let on: serde_json::Value = env.json(&["monitor", "on"]);
    assert_eq!(
        (&on["enabled"], &on["running"]),
        (&true.into(), &true.into())
    );
    // The store, customers, products and the folders relate made at init.
    assert!(on["folders"].as_u64().unwrap() >= 3, "{on}");
    assert!(
        on["pid"].as_u64().is_some() && on["started"].is_string(),
        "{on}"
    );
    assert_eq!(env.git(&["config", "relate.monitor"]), "true\n");
    assert_eq!(
        env.git_status(),
        "",
        "the setting and the monitor's files are under .git"
    );
    // Turning it on again finds it running.
    assert_eq!(
        env.json::<serde_json::Value>(&["monitor", "on"])["pid"],
        on["pid"]
    );

    // A write and a hand edit, each seen by the next read.
    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    let edited = env
        .read("customers/ana-lima.yaml")
        .replace("name: Ana Lima", "name: Ana Luz");
    env.write("customers/ana-lima.yaml", &edited);
    let names: Vec<serde_json::Value> = env.json(&["customer", "list"]);
    let fields: Vec<(&str, &str)> = (names.iter())
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["region"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(fields, [("Acme Corp", "EU"), ("Ana Luz", "")]);

    let off: serde_json::Value = env.json(&["monitor", "off"]);
    assert_eq!(
        (&off["enabled"], &off["running"]),
        (&false.into(), &false.into())
    );
    assert_eq!(env.git(&["config", "relate.monitor"]), "false\n");
    assert_eq!(status_once(&env, false)["running"], false);
    assert!(!env.store().join(".git/relate/monitor.sock").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_starts_the_monitor_that_the_configuration_wants() {
    let env = TestEnv::with_basics();
    env.git(&["config", "relate.monitor", "true"]);
    assert_eq!(status(&env)["running"], false);
    let listed: Vec<serde_json::Value> = env.json(&["customer", "list"]);
    assert_eq!(listed.len(), 2, "this read looks at the files meanwhile");
    let started = status_once(&env, true);
    assert_eq!(
        (&started["enabled"], &started["running"]),
        (&true.into(), &true.into())
    );
    env.run(&["monitor", "off"]).ok();
    assert_eq!(status_once(&env, false)["running"], false);
}

#[test]
fn the_monitor_is_refused_for_a_store_inside_a_larger_repository() {
    let env = TestEnv::empty();
    git2::Repository::init(env.path()).unwrap();
    env.run(&["init", "store"]).ok();
    let stderr = env.run(&["monitor", "on"]).fails(1);
    assert_eq!(
        stderr,
        "error: the monitor serves a store that is a git repository of its own\n\
         hint: run `relate init` in a folder of its own, or leave the monitor off\n"
    );
    assert!(!env.path().join(".git/relate/monitor.sock").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_monitor_that_cannot_start_says_why_and_reads_start_no_other() {
    // A socket path must be under 108 bytes: this store's is longer. Named
    // relative to where relate runs, which is not where the monitor runs.
    let env = TestEnv::empty();
    let deep = format!("{}store", "a-folder-with-a-long-name/".repeat(4));
    env.run(&["init", &deep]).ok();
    let run = |args: &[&str]| env.run(&[&["--store", deep.as_str()], args].concat());
    let socket = (env.path().canonicalize().unwrap())
        .join(&deep)
        .join(".git/relate/monitor.sock");
    let why = format!(
        "its socket {} would be {} bytes long, and a unix socket's path must be under 108",
        socket.display(),
        socket.as_os_str().len()
    );
    assert_eq!(
        run(&["monitor", "on"]).fails(1),
        format!(
            "error: the monitor could not start: {why}\n\
             hint: reads look at every file meanwhile; once the cause is mended, run \
             `relate monitor on` again (or `relate monitor off`); {} says the same\n",
            socket.with_file_name("monitor.failed").display()
        )
    );
    let status: serde_json::Value =
        serde_json::from_str(&run(&["--format", "json", "monitor", "status"]).ok()).unwrap();
    assert_eq!(
        (&status["enabled"], &status["running"], &status["failed"]),
        (&true.into(), &false.into(), &why.clone().into())
    );
    // Reads go on, from the files.
    assert_eq!(
        run(&["customer", "list", "--format", "csv"]).ok(),
        "id,name,kind,stage,owner,region,emails,tags\n"
    );
    let off: serde_json::Value =
        serde_json::from_str(&run(&["--format", "json", "monitor", "off"]).ok()).unwrap();
    assert_eq!(off["failed"], serde_json::Value::Null);
}
