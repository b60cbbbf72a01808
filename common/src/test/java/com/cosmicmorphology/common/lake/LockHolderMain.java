package com.cosmicmorphology.common.lake;

import org.apache.hadoop.conf.Configuration;

/** Another process holding a lake's writer lock: takes it, says "held", and keeps it until killed or stdin ends. */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        try (LakeWriterLock lock =
                LakeWriterLock.acquire(new Configuration(), new LakeLayout(args[0]), "holder in another JVM")) {
            System.out.println("held " + lock.where());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the test closes stdin or kills this process
            }
        }
    }
}
