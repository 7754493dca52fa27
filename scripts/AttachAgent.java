import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM with its options whole (jcmd's JVMTI.agent_load splits them at commas):
 * {@code java scripts/AttachAgent.java PID LIBRARY OPTIONS}. scripts/profile-bench.sh starts and stops
 * async-profiler with it.
 */
public class AttachAgent {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java AttachAgent.java PID LIBRARY OPTIONS");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
