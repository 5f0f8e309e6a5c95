package dev.berth.k3s.objects;

/** Label and annotation keys Berth puts on the objects it creates; inventory and terminate select by them. */
public final class Labels {

    private Labels() {
    }

    /** Standard "managed by" label; its value is {@link #MANAGER}. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Value of {@link #MANAGED_BY}. */
    public static final String MANAGER = "berth";
    /** Berth's instance id. */
    public static final String INSTANCE = "berth.dev/instance";
    /** Berth's tenant id. */
    public static final String TENANT = "berth.dev/tenant";
    /** Catalog app id. */
    public static final String APP = "berth.dev/app";
    /** Component name, on the component's objects and pods. */
    public static final String COMPONENT = "berth.dev/component";

    /** Annotation: the app version a Deployment (and the namespace) runs. */
    public static final String APP_VERSION = "berth.dev/app-version";
    /** Annotation on the namespace: the {@link InstanceSpec} as JSON. */
    public static final String SPEC = "berth.dev/spec";
    /** Annotation on the namespace: "true" while the instance is suspended. */
    public static final String SUSPENDED = "berth.dev/suspended";

    /** Selector of everything Berth manages. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGER;

    /** Selector of one instance's objects. */
    public static String instanceSelector(String instanceId) {
        return MANAGED_SELECTOR + "," + INSTANCE + "=" + instanceId;
    }
}
