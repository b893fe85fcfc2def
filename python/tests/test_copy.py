"""Host.put / Host.get and fleet().put / .get against a real sshd on
loopback (the harness, whose sftp-server writes this machine's files):
files and trees byte-exact, preserve, progress, failures named, a
cancelled copy leaving no temporary file, a missing local source refused
before any connection."""
import asyncio
import errno
import filecmp
import glob
import os
import stat

import pytest

import ringrun
from conftest import HANG_GUARD_S


def run(coro):
    return asyncio.run(coro)


def same_tree(a, b):
    """a and b hold the same names, link targets and bytes (not times)."""
    if os.path.islink(a):
        return os.path.islink(b) and os.readlink(a) == os.readlink(b)
    if os.path.isdir(a):
        return (os.path.isdir(b) and not os.path.islink(b)
                and sorted(os.listdir(a)) == sorted(os.listdir(b))
                and all(same_tree(os.path.join(a, n), os.path.join(b, n))
                        for n in os.listdir(a)))
    return os.path.isfile(b) and filecmp.cmp(a, b, shallow=False)


def temporaries(top):
    """The copy's temporary files (.NAME.rr-XXXXXX) anywhere under top."""
    return glob.glob(os.path.join(glob.escape(str(top)), "**", ".*.rr-*"), recursive=True)


def make_tree(root):
    """A small tree: files of several sizes (one of several chunks), an
    empty one, a subdirectory, a symbolic link."""
    os.makedirs(root / "sub" / "deeper")
    (root / "empty").write_bytes(b"")
    (root / "small").write_bytes(b"7761\n")
    (root / "sub" / "big").write_bytes(os.urandom(300_000))
    (root / "sub" / "deeper" / "odd").write_bytes(os.urandom(65_537))
    os.symlink("small", root / "link")
    return root


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "tree")


def test_put_and_get_a_file(sshd, host_opts, tmp_path):
    src = tmp_path / "one"
    src.write_bytes(os.urandom(200_000))

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            put = await h.put(src, tmp_path / "put")
            got = await h.get(tmp_path / "put", str(tmp_path) + "/")  # a directory: its name
            return h.name, put, got
    name, put, got = run(main())
    assert filecmp.cmp(src, tmp_path / "put", shallow=False)
    assert put.ok and put.status == "ok" and put.message == "" and put.host == name
    assert put.entries == [ringrun.CopyEntry(src=str(src), dst=str(tmp_path / "put"),
                                             type="file", bytes=200_000, errno=0, message="")]
    assert put.bytes == 200_000 and put.failed == []
    assert [(e.src, e.dst, e.type) for e in got.entries] == [
        (str(tmp_path / "put"), str(tmp_path / "put"), "file")]
    assert temporaries(tmp_path) == []


def test_put_and_get_a_tree(sshd, host_opts, tree, tmp_path):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            put = await h.put(tree, tmp_path / "remote", recursive=True)
            os.mkdir(tmp_path / "back")  # an existing directory: the tree goes under it
            got = await h.get(tmp_path / "remote", tmp_path / "back", recursive=True)
            return put, got
    put, got = run(main())
    assert same_tree(tree, tmp_path / "remote")
    assert same_tree(tree, tmp_path / "back" / "remote")
    for res, top in ((put, tmp_path / "remote"), (got, tmp_path / "back" / "remote")):
        kinds = {os.path.relpath(e.dst, top): e.type for e in res.entries}
        assert kinds == {".": "dir", "sub": "dir", "sub/deeper": "dir", "empty": "file",
                         "small": "file", "sub/big": "file", "sub/deeper/odd": "file",
                         "link": "link"}
        assert res.bytes == 5 + 300_000 + 65_537
    assert temporaries(tmp_path) == []


def test_links_are_copied_as_links_unless_followed(sshd, host_opts, tree, tmp_path):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            as_link = await h.put(bytes(tree / "link"), os.fsencode(tmp_path / "l"))
            followed = await h.get(tree / "link", tmp_path / "f", follow_symlinks=True)
            return as_link, followed
    as_link, followed = run(main())
    assert os.readlink(tmp_path / "l") == "small"
    assert not os.path.islink(tmp_path / "f") and (tmp_path / "f").read_bytes() == b"7761\n"
    assert [e.type for e in as_link.entries] == ["link"]
    assert [(e.type, e.bytes) for e in followed.entries] == [("file", 5)]


def test_a_directory_needs_recursive(sshd, host_opts, tree, tmp_path):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(IsADirectoryError, match="put .*tree"):
                await h.put(tree, tmp_path / "x")
            with pytest.raises(ringrun.CopyError) as e:
                await h.get(tree, tmp_path / "x")
            assert e.value.errno == errno.EISDIR and str(tree) in str(e.value)
    run(main())
    assert not os.path.exists(tmp_path / "x")


def test_preserve_keeps_mode_and_mtime(sshd, host_opts, tmp_path):
    src = tmp_path / "kept"
    src.write_bytes(b"7762\n")
    os.chmod(src, 0o751)
    os.utime(src, (1_000_000_000, 1_234_567_890))

    async def main():
        async with ringrun.Host(sshd["addrs"][1], **host_opts) as h:
            await h.put(src, tmp_path / "put", preserve=True, mkdirs=False)
            await h.get(tmp_path / "put", tmp_path / "got", preserve=True)
            await h.put(src, tmp_path / "plain")
    run(main())
    for p in ("put", "got"):
        st = os.stat(tmp_path / p)
        assert stat.S_IMODE(st.st_mode) == 0o751
        assert st.st_mtime == 1_234_567_890
    assert os.stat(tmp_path / "plain").st_mtime != 1_234_567_890


def test_mkdirs_makes_the_missing_parents(sshd, host_opts, tmp_path):
    src = tmp_path / "f"
    src.write_bytes(b"7763\n")

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(ringrun.CopyError):
                await h.put(src, tmp_path / "a" / "b" / "f")
            await h.put(src, tmp_path / "a" / "b" / "f", mkdirs=True)
            await h.get(src, tmp_path / "c" / "d" / "f", mkdirs=True)
    run(main())
    assert filecmp.cmp(src, tmp_path / "a" / "b" / "f", shallow=False)
    assert filecmp.cmp(src, tmp_path / "c" / "d" / "f", shallow=False)


def test_progress_reaches_the_total(sshd, host_opts, tree, tmp_path):
    total = 5 + 300_000 + 65_537

    async def main():
        calls = {"put": [], "get": []}
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            await h.put(tree, tmp_path / "p", recursive=True,
                        progress=lambda done, of: calls["put"].append((done, of)))
            await h.get(tmp_path / "p", tmp_path / "g", recursive=True,
                        progress=lambda done, of: calls["get"].append((done, of)))
        return calls
    calls = run(main())
    for seen in calls.values():
        assert seen[-1] == (total, total)
        assert all(d <= t for d, t in seen)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_exception_in_progress_stops_the_copy_and_is_raised(sshd, host_opts, tmp_path):
    src = tmp_path / "big"
    src.write_bytes(os.urandom(8 << 20))

    def progress(done, total):
        raise KeyError("7764")

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(KeyError, match="7764"):
                await h.put(src, tmp_path / "dst", progress=progress)
    run(main())
    assert not os.path.exists(tmp_path / "dst") and temporaries(tmp_path) == []


def test_a_missing_remote_path_is_named(sshd, host_opts, tmp_path):
    missing = str(tmp_path / "no-such-7765")

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(ringrun.CopyError) as e:
                await h.get(missing, tmp_path / "x")
            return h.name, e.value
    name, e = run(main())
    assert isinstance(e, ringrun.Error) and isinstance(e, OSError)
    assert e.status == "error" and e.errno == errno.ENOENT
    assert str(e) == e.message == f"host {name}: {missing}: no such file or directory"
    assert [(f.src, f.errno, f.message) for f in e.failed] == [(missing, errno.ENOENT, str(e))]
    assert e.result.failed == e.failed and not e.result.ok
    assert not os.path.exists(tmp_path / "x")


def test_failed_entries_do_not_stop_the_others(sshd, host_opts, tree, tmp_path):
    # Directories (not empty) where files go: those fail, the rest of the
    # tree is copied.  remote exists: the tree goes under it.
    os.makedirs(tmp_path / "remote" / "tree" / "small" / "in-the-way")
    os.makedirs(tmp_path / "remote" / "tree" / "empty" / "in-the-way")

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(ringrun.CopyError) as e:
                await h.put(tree, tmp_path / "remote", recursive=True)
            return e.value
    e = run(main())
    top = tmp_path / "remote" / "tree"
    assert sorted(f.dst for f in e.failed) == [str(top / "empty"), str(top / "small")]
    assert str(e) == e.failed[0].message + " (and 1 more)" and e.errno == e.failed[0].errno
    assert str(e.failed[0].dst) in str(e)
    copied = {e.dst for e in e.result.entries if e.ok}
    assert str(top / "sub" / "big") in copied
    assert filecmp.cmp(tree / "sub" / "big", top / "sub" / "big", shallow=False)
    assert temporaries(tmp_path) == []


class SkewLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock a test moves on: its timers (wait_for's)
    fire when the test says, not when the wall clock does."""
    skew = 0.0

    def time(self):
        return super().time() + self.skew


@pytest.mark.parametrize("direction", ["put", "get"])
def test_wait_for_timeout_stops_the_copy_and_leaves_no_temporary(
        sshd, host_opts, tmp_path, direction):
    # 16 MiB, cancelled at its first progress: far more than the library
    # has in flight (32 requests of 64 KiB), so it is mid-copy by cause.
    src = tmp_path / "src"
    src.write_bytes(os.urandom(16 << 20))
    (tmp_path / "dst").mkdir()
    loop = SkewLoop()
    seen = []

    def progress(done, total):
        if not seen:
            loop.skew += 2 * HANG_GUARD_S  # wait_for's timeout is now due
        seen.append((done, total))

    async def main():
        async with ringrun.Host(sshd["addrs"][2], **host_opts) as h:
            copy = h.put if direction == "put" else h.get
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(copy(src, tmp_path / "dst" / "f", progress=progress),
                                       HANG_GUARD_S)
            # What is left right after: nothing (the await returned once
            # the library had removed it).
            return os.listdir(tmp_path / "dst")
    try:
        left = loop.run_until_complete(main())
    finally:
        loop.close()
    assert left == []
    assert seen and all(done < total for done, total in seen)  # stopped mid-copy


def test_a_missing_local_source_is_refused_before_connecting(sshd, host_opts, tmp_path):
    missing = str(tmp_path / "no-such-7766")

    async def main():
        # Nothing listens on 127.0.0.1: a connection tried would fail otherwise.
        async with ringrun.Host("127.0.0.1", **host_opts) as h:
            with pytest.raises(FileNotFoundError) as e:
                await h.put(missing, "/tmp/x")
            return e.value, ringrun.loop_stats()
    e, stats = run(main())
    assert e.errno == errno.ENOENT and missing in str(e)
    assert stats["spawned"] == 0


def test_unreachable_host_raises_copy_error(sshd, host_opts, tmp_path):
    src = tmp_path / "f"
    src.write_bytes(b"7767\n")

    async def main():
        async with ringrun.Host("127.0.0.1", **host_opts) as h:
            with pytest.raises(ringrun.CopyError) as e:
                await h.put(src, tmp_path / "dst")
            return e.value
    e = run(main())
    assert e.status == "connect-failed" and e.errno is None and e.failed == []
    assert "connection refused" in str(e)


def test_bad_arguments_are_refused(sshd, host_opts, tmp_path):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            with pytest.raises(ValueError, match="embedded null"):
                await h.get("a\0b", tmp_path / "x")
            with pytest.raises(ValueError, match="timeout"):
                await h.get("/etc/hostname", tmp_path / "x", timeout=-1)
    run(main())


def test_fleet_put_and_get_per_host(sshd, host_opts, tmp_path):
    src = tmp_path / "conf"
    src.write_bytes(b"7768\n")
    hosts = sshd["addrs"] + ["127.0.0.1"]  # nothing listens on 127.0.0.1

    async def main():
        f = ringrun.fleet(hosts, **host_opts)
        puts = [r async for r in f.put(src, lambda host: str(tmp_path / f"put.{host}"))]
        (tmp_path / "back").mkdir()
        gets = [r async for r in f.get(lambda host: str(tmp_path / f"put.{host}"),
                                       lambda host: str(tmp_path / "back" / f"conf.{host}"))]
        return puts, gets
    puts, gets = run(main())
    for res in (puts, gets):
        by_host = {r.host.rsplit(":", 1)[0]: r for r in res}
        assert sorted(by_host) == sorted(hosts)
        assert all(by_host[a].ok for a in sshd["addrs"])
        bad = by_host["127.0.0.1"]
        assert bad.status == "connect-failed" and "connection refused" in bad.message
    for a in sshd["addrs"]:
        assert filecmp.cmp(src, tmp_path / "back" / f"conf.{a}", shallow=False)
    assert sorted(os.listdir(tmp_path / "back")) == sorted(f"conf.{a}" for a in sshd["addrs"])


def test_fleet_put_of_a_missing_source_raises(sshd, host_opts, tmp_path):
    async def main():
        with pytest.raises(FileNotFoundError):
            async for _ in ringrun.fleet(sshd["addrs"], **host_opts).put(
                    tmp_path / "no-such-7769", "/tmp/x"):
                pass
    run(main())


def test_fleet_left_early_leaves_no_temporary(sshd, host_opts, tmp_path):
    # Whether the other copies were still moving or had ended when the loop
    # was left, nothing of them stays but whole files.
    src = tmp_path / "src"
    src.write_bytes(os.urandom(16 << 20))

    async def main():
        async for r in ringrun.fleet(sshd["addrs"], **host_opts).put(
                src, lambda host: str(tmp_path / f"dst.{host}")):
            assert r.ok
            break
    run(main())
    assert temporaries(tmp_path) == []
    for name in os.listdir(tmp_path):
        assert name == "src" or filecmp.cmp(src, tmp_path / name, shallow=False)
