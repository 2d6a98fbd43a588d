#!/usr/bin/python3
# Runs in the Debian root on Exo-OS and on the build machine's Linux with the same Debian python3.11
# (tests/Exo.Kernel.BootTests/DebianRootTests.cs): every line it prints must be the same on both.
# It prints nothing that legitimately differs (pids, times, addresses); where a value differs it prints a relation.
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading


def section(name):
    print(f"== {name}")


section("sys")
print("version", sys.version_info[:3])
print("platform", sys.platform, "byteorder", sys.byteorder, "maxsize", sys.maxsize)
print("argv", sys.argv[1:])
print("executable", sys.executable)
print("filesystem encoding", sys.getfilesystemencoding())

section("os")
print("pid positive", os.getpid() > 0, "ppid positive", os.getppid() > 0)
print("uid", os.getuid(), "gid", os.getgid())
print("uname sysname", os.uname().sysname)
print("cpu_count positive", (os.cpu_count() or 0) > 0)
print("urandom length", len(os.urandom(16)))
work = tempfile.mkdtemp(prefix="script-")
os.chdir(work)
print("cwd under /tmp", os.getcwd().startswith("/tmp/"))
fd = os.open("raw", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
os.write(fd, b"0123456789")
os.close(fd)
status = os.stat("raw")
print("stat size", status.st_size, "mode", oct(status.st_mode & 0o777))
os.rename("raw", "renamed")
os.symlink("renamed", "link")
print("readlink", os.readlink("link"), "listdir", sorted(os.listdir(".")))
read, write = os.pipe()
os.write(write, b"through a pipe")
os.close(write)
print("pipe", os.read(read, 100))
os.close(read)
print("environ HOME set", "HOME" in os.environ)

section("json")
document = {"name": "exo", "numbers": [3, 1, 2], "nested": {"pi": 3.14159, "yes": True, "none": None}, "text": "é\u00fc"}
encoded = json.dumps(document, sort_keys=True)
print(encoded)
print(json.loads(encoded) == document, json.dumps(document, indent=1, ensure_ascii=False).count("\n"))

section("re")
text = "alpha=1, beta=22, gamma=333"
print(re.findall(r"(\w+)=(\d+)", text))
print(re.sub(r"\d+", lambda m: str(int(m.group()) * 2), text))
print(bool(re.fullmatch(r"[a-z]+", "exo")), re.split(r",\s*", text))

section("hashlib")
for algorithm in ("md5", "sha1", "sha256", "sha512", "blake2b", "sha3_256"):
    print(algorithm, hashlib.new(algorithm, b"Exo-OS runs Debian").hexdigest())
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1000).hex())

section("pathlib")
base = pathlib.Path(work)
(base / "tree" / "a" / "b").mkdir(parents=True)
(base / "tree" / "a" / "one.txt").write_text("one\n")
(base / "tree" / "a" / "b" / "two.txt").write_text("two\ntwo\n")
print(sorted(str(p.relative_to(base)) for p in (base / "tree").rglob("*")))
print((base / "tree" / "a" / "b" / "two.txt").read_text().splitlines())
print(pathlib.PurePosixPath("/usr/lib/python3.11/json/__init__.py").parts[-3:], pathlib.Path("/usr/lib/python3.11").is_dir())

section("subprocess")
completed = subprocess.run(["echo", "hello from echo"], capture_output=True, text=True)
print(completed.returncode, completed.stdout.strip())
completed = subprocess.run("printf 'b\\na\\nc\\n' | sort", shell=True, capture_output=True, text=True)
print(completed.returncode, completed.stdout.split())
completed = subprocess.run(["sh", "-c", "exit 3"])
print("exit status", completed.returncode)
print("check_output", subprocess.check_output(["wc", "-c"], input=b"12345").strip())
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as error:
    print("FileNotFoundError", error.errno)

section("end")
subprocess.run(["rm", "-r", work])
print("removed", not os.path.exists(work))

section("threading")
results = []
lock = threading.Lock()


def worker(number):
    total = sum(range(number * 1000))
    with lock:
        results.append((number, total))


threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(results))
event = threading.Event()
timer = threading.Timer(0.01, event.set)
timer.start()
print("event set", event.wait(30))
print("active after join", threading.active_count())
