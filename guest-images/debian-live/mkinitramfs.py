#!/usr/bin/env python3
"""Builds the live guest's initramfs (a gzip-compressed cpio "newc" archive) without root.

The archive holds the skeleton (init, etc/...), a static busybox, and the kernel modules named in
the skeleton's etc/modules together with every module they depend on, found through the
`depends=` entries of each module's .modinfo section (the same data depmod turns into
modules.dep; Debian's package ships no modules.dep because its postinst runs depmod).
Ownership is written as root and every timestamp as --mtime, and entries are sorted, so the
same inputs always give the same bytes.

Formats: cpio "newc" as in the kernel's Documentation/driver-api/early-userspace/buffer-format.rst;
ELF section headers as in the System V ABI (gABI), chapter 4.
"""
import argparse
import gzip
import lzma
import os
import stat
import struct
import subprocess
import sys

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.gz", ".ko.zst")
# Directories the init script (or the user: /mnt) mounts on or writes to; empty in the archive.
EMPTY_DIRECTORIES = ("dev", "proc", "sys", "run", "tmp", "root", "mnt", "sbin", "usr/bin", "usr/sbin")
# The kernel opens /dev/console for init before anything mounts devtmpfs (init/main.c: console_on_rootfs).
CONSOLE_MAJOR, CONSOLE_MINOR = 5, 1


def progress(message):
    print(f"mkinitramfs: {message}", file=sys.stderr)


def module_name(file_name):
    for suffix in MODULE_SUFFIXES:
        if file_name.endswith(suffix):
            return file_name[: -len(suffix)].replace("-", "_")
    return None


def decompressed(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return data


def modinfo(elf):
    """The key=value strings of an ELF object's .modinfo section."""
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF object")
    is_64 = elf[4] == 2
    endian = "<" if elf[5] == 1 else ">"
    if is_64:
        shoff, = struct.unpack_from(endian + "Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", elf, 0x3A)
        header = endian + "IIQQQQ"
    else:
        shoff, = struct.unpack_from(endian + "I", elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", elf, 0x2E)
        header = endian + "IIIIII"

    def section(index):
        name, _type, _flags, _addr, offset, size = struct.unpack_from(header, elf, shoff + index * shentsize)
        return name, offset, size

    _, names_offset, _ = section(shstrndx)
    for index in range(shnum):
        name, offset, size = section(index)
        end = elf.index(b"\0", names_offset + name)
        if elf[names_offset + name:end] == b".modinfo":
            entries = elf[offset:offset + size].split(b"\0")
            return dict(e.decode().split("=", 1) for e in entries if b"=" in e)
    raise ValueError("no .modinfo section")


class KernelTree:
    """The modules of one kernel as unpacked from its linux-image package."""

    def __init__(self, root):
        versions = sorted(os.listdir(os.path.join(root, "lib/modules")))
        if len(versions) != 1:
            raise SystemExit(f"mkinitramfs: expected one kernel under {root}/lib/modules, found {versions}")
        self.version = versions[0]
        self.directory = os.path.join(root, "lib/modules", self.version)
        self.files = {}
        for parent, _dirs, names in os.walk(os.path.join(self.directory, "kernel")):
            for file_name in names:
                name = module_name(file_name)
                if name:
                    self.files[name] = os.path.relpath(os.path.join(parent, file_name), self.directory)
        self.builtin = set()
        with open(os.path.join(self.directory, "modules.builtin")) as f:
            for line in f:
                self.builtin.add(module_name(os.path.basename(line.strip())))

    def closure(self, wanted):
        """The wanted modules and their dependencies, each after everything it depends on."""
        ordered, contents, visiting = [], {}, set()

        def visit(name, needed_by):
            name = name.replace("-", "_")
            if name in contents or name in self.builtin:
                return
            if name in visiting:
                raise SystemExit(f"mkinitramfs: circular module dependency through {name}")
            if name not in self.files:
                raise SystemExit(f"mkinitramfs: {needed_by} needs module {name}, which kernel {self.version} lacks")
            visiting.add(name)
            data = decompressed(os.path.join(self.directory, self.files[name]))
            for dependency in filter(None, modinfo(data).get("depends", "").split(",")):
                visit(dependency, name)
            visiting.discard(name)
            contents[name] = data
            ordered.append(name)

        for name in wanted:
            visit(name, "etc/modules")
        return [(name, self.installed_path(name), contents[name]) for name in ordered]

    def installed_path(self, name):
        relative = self.files[name]
        for suffix in MODULE_SUFFIXES:
            if relative.endswith(suffix):
                return relative[: -len(suffix)] + ".ko"
        return relative


class Archive:
    """Entries of a cpio newc archive, keyed by path, written in sorted order."""

    def __init__(self, mtime):
        self.mtime = mtime
        self.entries = {}

    def directory(self, path):
        while path and path not in self.entries:
            self.entries[path] = (stat.S_IFDIR | (0o1777 if path == "tmp" else 0o755), b"", 0)
            path = os.path.dirname(path)

    def file(self, path, data, mode):
        self.directory(os.path.dirname(path))
        self.entries[path] = (stat.S_IFREG | mode, data, 0)

    def symlink(self, path, target):
        self.directory(os.path.dirname(path))
        self.entries[path] = (stat.S_IFLNK | 0o777, target.encode(), 0)

    def char_device(self, path, major, minor, mode):
        self.directory(os.path.dirname(path))
        self.entries[path] = (stat.S_IFCHR | mode, b"", (major, minor))

    def write(self, out):
        def record(inode, name, mode, data, rdev):
            name_bytes = name.encode() + b"\0"
            nlink = 2 if stat.S_ISDIR(mode) else 1
            rdev_major, rdev_minor = rdev if rdev else (0, 0)
            fields = (inode, mode, 0, 0, nlink, self.mtime, len(data), 0, 0,
                      rdev_major, rdev_minor, len(name_bytes), 0)
            header = b"070701" + b"".join(b"%08X" % value for value in fields)
            out.write(header + name_bytes + b"\0" * (-(len(header) + len(name_bytes)) % 4))
            out.write(data + b"\0" * (-len(data) % 4))

        for inode, path in enumerate(sorted(self.entries), start=1):
            mode, data, rdev = self.entries[path]
            record(inode, path, mode, data, rdev)
        record(0, "TRAILER!!!", 0, b"", None)


def modules_dep(modules):
    """depmod's modules.dep for modules listed after their dependencies: each line names every
    module the first needs, directly or not, ordered so that loading right to left works."""
    paths = {name: path for name, path, _ in modules}
    direct = {name: [d.replace("-", "_") for d in modinfo(data).get("depends", "").split(",") if d]
              for name, _, data in modules}
    order = [name for name, _, _ in modules]
    lines = []
    for name in order:
        needed, pending = set(), [d for d in direct[name] if d in paths]
        while pending:
            dependency = pending.pop()
            if dependency not in needed:
                needed.add(dependency)
                pending.extend(d for d in direct[dependency] if d in paths)
        listed = [paths[d] for d in reversed(order) if d in needed]
        lines.append(f"{paths[name]}:{''.join(' ' + p for p in listed)}\n")
    return "".join(sorted(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel-tree", required=True, help="an unpacked linux-image package")
    parser.add_argument("--busybox", required=True, help="the static busybox binary")
    parser.add_argument("--skeleton", required=True, help="files copied as they are, etc/modules among them")
    parser.add_argument("--mtime", required=True, type=int, help="the timestamp of every entry")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    archive = Archive(args.mtime)
    for path in EMPTY_DIRECTORIES:
        archive.directory(path)
    archive.char_device("dev/console", CONSOLE_MAJOR, CONSOLE_MINOR, 0o600)

    for parent, _dirs, names in os.walk(args.skeleton):
        for file_name in names:
            source = os.path.join(parent, file_name)
            mode = 0o755 if os.stat(source).st_mode & stat.S_IXUSR else 0o644
            with open(source, "rb") as f:
                archive.file(os.path.relpath(source, args.skeleton), f.read(), mode)

    with open(args.busybox, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    # init is a script for /bin/sh; the other applet links are made by `busybox --install` at boot.
    archive.symlink("bin/sh", "busybox")

    kernel = KernelTree(args.kernel_tree)
    with open(os.path.join(args.skeleton, "etc/modules")) as f:
        wanted = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    modules = kernel.closure(wanted)
    module_dir = f"lib/modules/{kernel.version}"
    for _name, path, data in modules:
        archive.file(f"{module_dir}/{path}", data, 0o644)
    archive.file(f"{module_dir}/modules.dep", modules_dep(modules).encode(), 0o644)
    progress(f"kernel {kernel.version} modules: {' '.join(name for name, _, _ in modules)}")

    with open(args.output, "wb") as raw:
        # mtime=0 and no file name keep the gzip header free of build-time data (RFC 1952, 2.3.1).
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as compressed:
            archive.write(compressed)


if __name__ == "__main__":
    main()
