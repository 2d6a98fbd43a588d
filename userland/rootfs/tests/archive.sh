# Checksums, archives and bytes: md5sum, sha256sum, tar, gzip, gunzip, dd, od, hexdump.
rm -rf /tmp/archive; mkdir /tmp/archive && cd /tmp/archive || exit 1
printf 'The quick brown fox jumps over the lazy dog' > fox
seq 1 2000 > numbers
echo "-- md5sum, sha256sum"
md5sum fox numbers; sha256sum fox; echo -n "" | md5sum; echo abc | sha256sum
md5sum fox numbers > sums; md5sum -c sums; echo changed >> numbers; md5sum -c sums 2>&1; echo "md5sum -c: $?"
seq 1 2000 > numbers
sha256sum numbers > sums256; sha256sum -c -s sums256; echo "sha256sum -c -s: $?"
echo "-- gzip, gunzip"
cp numbers n; gzip n; [ -f n.gz ] && [ ! -e n ] && echo "gzip replaced n with n.gz"
gzip -t n.gz && echo "gzip -t ok"; gunzip n.gz; cmp n numbers && echo "gunzip round trip"
gzip -c numbers > c.gz; gunzip -c c.gz | md5sum; gzip -d < c.gz | tail -n 1; zcat c.gz 2>/dev/null | head -n 1
gzip -9 -c numbers | gunzip | wc -l; gzip -1 -c fox | gzip -dc; echo
gzip -l c.gz 2>/dev/null | tail -n 1 | awk '{ print $2, $4 }'
echo notgzip > bad.gz; gunzip bad.gz 2>&1; echo "gunzip bad: $?"
echo "-- tar"
mkdir -p src/sub; echo one > src/one; echo two > src/sub/two; ln -s one src/link; chmod 600 src/sub/two
touch -d '2022-02-02 02:02:02' src/one src/sub/two
tar -cf a.tar src; tar -tf a.tar | sort; tar -tvf a.tar | awk '{ print $1, $6 }' | sort -k2
mkdir out; tar -xf a.tar -C out; find out | sort; cat out/src/sub/two; readlink out/src/link; stat -c '%a %Y' out/src/sub/two
tar -czf a.tgz src; tar -tzf a.tgz | sort | head -n 2; mkdir out2; cd out2; tar -xzf ../a.tgz; cd ..; diff -r src out2/src && echo "tar -z round trip"
tar -cf - src | tar -tf - | wc -l; tar -xOf a.tar src/one; tar -cf b.tar -C src one; tar -tf b.tar
tar -xf missing.tar 2>&1; echo "tar missing: $?"
echo "-- dd"
dd if=numbers of=part bs=10 count=3 2>/dev/null; cat part; echo
dd if=numbers bs=1 skip=5 count=4 2>/dev/null; echo
dd if=/dev/zero bs=512 count=4 2>/dev/null | wc -c; dd if=/dev/zero of=zeros bs=1k count=3 2>&1 | sed 's/,.*//'
dd if=fox conv=ucase 2>/dev/null; echo; printf 'abc' | dd of=pad bs=8 conv=sync 2>/dev/null; wc -c < pad
dd if=fox of=seeked bs=1 seek=4 count=3 2>/dev/null; od -c seeked | head -n 1
echo "-- od, hexdump"
od -c fox | head -n 2; od -x fox | head -n 1; od -An -tx1 -N8 fox; od -b -N4 fox; od -d -N4 fox; od -An -c -j4 -N5 fox
printf '\001\002\377' | od -An -tu1; printf 'AB' | od -tx2
hexdump -C fox; hexdump fox | head -n 2; hexdump -n 4 -e '4/1 "%02x " "\n"' fox
printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000x' | hexdump -C
xxd -l 8 fox 2>/dev/null || true
