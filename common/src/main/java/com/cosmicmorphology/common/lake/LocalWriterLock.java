package com.cosmicmorphology.common.lake;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The writer lock of a lake on local disk: an OS lock ({@link FileChannel#tryLock}) on
 * {@code <root>/_cosmic_writer.lock}, which holds the holder's description while it runs. The OS drops the lock
 * when the holding process ends, however it ends (kill -9 included), so a left-over file never blocks anyone.
 * The file itself is never deleted: a run that opened it just before a delete would lock a file nobody else
 * sees, and two runs would each hold "the" lock.
 */
final class LocalWriterLock {
    private LocalWriterLock() {}

    static LakeWriterLock acquire(Path root, String rootName, WriterLockHolder me) {
        Path file = root.resolve(LakeWriterLock.FILE);
        FileChannel channel;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CosmicException(
                    ExitCode.STORAGE,
                    "cannot create the lake's writer lock " + file + " (" + e
                            + "); set --lake or lake.root to a writable folder",
                    e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this JVM (the pipeline's stages never overlap; threads may)
        } catch (IOException e) {
            close(channel);
            throw new CosmicException(
                    ExitCode.STORAGE,
                    "cannot lock " + file + " (" + e + "); the lake's file system "
                            + "must support file locks (local disks do; some network mounts do not)",
                    e);
        }
        if (lock == null) {
            close(channel);
            throw LakeWriterLock.busy(
                    rootName,
                    read(file),
                    file.toString(),
                    "the lock is released when that process ends, however it ends");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me.bytes()), 0);
            channel.force(false);
        } catch (IOException e) {
            release(lock, channel);
            throw new CosmicException(
                    ExitCode.STORAGE, "cannot write the lake's writer lock " + file + " (" + e + ")", e);
        }
        FileLock held = lock;
        return new LakeWriterLock(file.toString(), () -> release(held, channel));
    }

    /** The holder, given a moment to write itself down if it took the lock just now. */
    private static WriterLockHolder read(Path file) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                WriterLockHolder h = WriterLockHolder.parse(Files.readString(file, StandardCharsets.UTF_8));
                if (h != null) {
                    return h;
                }
                Thread.sleep(50);
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static void release(FileLock lock, FileChannel channel) {
        try {
            channel.truncate(0); // the next reader finds no holder rather than a stale one
        } catch (IOException e) {
            // the lock below is what counts
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
