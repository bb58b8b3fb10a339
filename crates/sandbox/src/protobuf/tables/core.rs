//! Message schemas of core/v1 (`k8s.io/api/core/v1`), everything outside the PodSpec family.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

pub(super) const CORE: &[&str] = &[
    "Binding: metadata=1:meta.ObjectMeta target=2:ObjectReference",
    "ClientIPConfig: timeoutSeconds=1:i32*",
    "ConfigMap: metadata=1:meta.ObjectMeta data=2:{s:s} binaryData=3:{s:y} immutable=4:b*",
    "ContainerState: waiting=1:ContainerStateWaiting* running=2:ContainerStateRunning* \
        terminated=3:ContainerStateTerminated*",
    "ContainerStateRunning: startedAt=1:meta.Time",
    "ContainerStateTerminated: exitCode=1:i32! signal=2:i32 reason=3:s message=4:s startedAt=5:meta.Time \
        finishedAt=6:meta.Time containerID=7:s",
    "ContainerStateWaiting: reason=1:s message=2:s",
    "ContainerStatus: name=1:s! state=2:ContainerState lastState=3:ContainerState ready=4:b! restartCount=5:i32! \
        image=6:s! imageID=7:s! containerID=8:s started=9:b* allocatedResources=10:{s:resource.Quantity} \
        resources=11:ResourceRequirements* volumeMounts=12:[VolumeMountStatus] user=13:ContainerUser* \
        allocatedResourcesStatus=14:[ResourceStatus]",
    "ContainerUser: linux=1:LinuxContainerUser*",
    "EndpointAddress: ip=1:s! targetRef=2:ObjectReference* hostname=3:s nodeName=4:s*",
    "EndpointPort: name=1:s port=2:i32! protocol=3:s appProtocol=4:s*",
    "EndpointSubset: addresses=1:[EndpointAddress] notReadyAddresses=2:[EndpointAddress] ports=3:[EndpointPort]",
    "Endpoints: metadata=1:meta.ObjectMeta subsets=2:[EndpointSubset]",
    "HostIP: ip=1:s!",
    "LimitRange: metadata=1:meta.ObjectMeta spec=2:LimitRangeSpec",
    "LimitRangeItem: type=1:s! max=2:{s:resource.Quantity} min=3:{s:resource.Quantity} \
        default=4:{s:resource.Quantity} defaultRequest=5:{s:resource.Quantity} \
        maxLimitRequestRatio=6:{s:resource.Quantity}",
    "LimitRangeSpec: limits=1:[LimitRangeItem]!",
    "LinuxContainerUser: uid=1:i64! gid=2:i64! supplementalGroups=3:[i64]",
    "LoadBalancerIngress: ip=1:s hostname=2:s ipMode=3:s* ports=4:[PortStatus]",
    "LoadBalancerStatus: ingress=1:[LoadBalancerIngress]",
    "ModifyVolumeStatus: targetVolumeAttributesClassName=1:s status=2:s!",
    "Namespace: metadata=1:meta.ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus",
    "NamespaceCondition: type=1:s! status=2:s! lastTransitionTime=4:meta.Time reason=5:s message=6:s",
    "NamespaceSpec: finalizers=1:[s]",
    "NamespaceStatus: phase=1:s conditions=2:[NamespaceCondition]",
    "ObjectReference: kind=1:s namespace=2:s name=3:s uid=4:s apiVersion=5:s resourceVersion=6:s fieldPath=7:s",
    "PersistentVolumeClaim: metadata=1:meta.ObjectMeta spec=2:PersistentVolumeClaimSpec \
        status=3:PersistentVolumeClaimStatus",
    "PersistentVolumeClaimCondition: type=1:s! status=2:s! lastProbeTime=3:meta.Time \
        lastTransitionTime=4:meta.Time reason=5:s message=6:s",
    "PersistentVolumeClaimStatus: phase=1:s accessModes=2:[s] capacity=3:{s:resource.Quantity} \
        conditions=4:[PersistentVolumeClaimCondition] allocatedResources=5:{s:resource.Quantity} \
        allocatedResourceStatuses=7:{s:s} currentVolumeAttributesClassName=8:s* \
        modifyVolumeStatus=9:ModifyVolumeStatus*",
    "Pod: metadata=1:meta.ObjectMeta spec=2:PodSpec status=3:PodStatus",
    "PodCondition: type=1:s! status=2:s! lastProbeTime=3:meta.Time lastTransitionTime=4:meta.Time reason=5:s \
        message=6:s",
    "PodIP: ip=1:s!",
    "PodResourceClaimStatus: name=1:s! resourceClaimName=2:s*",
    "PodStatus: phase=1:s conditions=2:[PodCondition] message=3:s reason=4:s hostIP=5:s podIP=6:s \
        startTime=7:meta.Time* containerStatuses=8:[ContainerStatus] qosClass=9:s \
        initContainerStatuses=10:[ContainerStatus] nominatedNodeName=11:s podIPs=12:[PodIP] \
        ephemeralContainerStatuses=13:[ContainerStatus] resize=14:s \
        resourceClaimStatuses=15:[PodResourceClaimStatus] hostIPs=16:[HostIP]",
    "PodTemplate: metadata=1:meta.ObjectMeta template=2:PodTemplateSpec",
    "PodTemplateSpec: metadata=1:meta.ObjectMeta spec=2:PodSpec",
    "PortStatus: port=1:i32! protocol=2:s! error=3:s*",
    "ReplicationController: metadata=1:meta.ObjectMeta spec=2:ReplicationControllerSpec \
        status=3:ReplicationControllerStatus",
    "ReplicationControllerCondition: type=1:s! status=2:s! lastTransitionTime=3:meta.Time reason=4:s message=5:s",
    "ReplicationControllerSpec: replicas=1:i32* selector=2:{s:s} template=3:PodTemplateSpec* minReadySeconds=4:i32",
    "ReplicationControllerStatus: replicas=1:i32! fullyLabeledReplicas=2:i32 observedGeneration=3:i64 \
        readyReplicas=4:i32 availableReplicas=5:i32 conditions=6:[ReplicationControllerCondition]",
    "ResourceHealth: resourceID=1:s! health=2:s",
    "ResourceQuota: metadata=1:meta.ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus",
    "ResourceQuotaSpec: hard=1:{s:resource.Quantity} scopes=2:[s] scopeSelector=3:ScopeSelector*",
    "ResourceQuotaStatus: hard=1:{s:resource.Quantity} used=2:{s:resource.Quantity}",
    "ResourceStatus: name=1:s! resources=2:[ResourceHealth]",
    "ScopeSelector: matchExpressions=1:[ScopedResourceSelectorRequirement]",
    "ScopedResourceSelectorRequirement: scopeName=1:s! operator=2:s! values=3:[s]",
    "Secret: metadata=1:meta.ObjectMeta data=2:{s:y} type=3:s stringData=4:{s:s} immutable=5:b*",
    "Service: metadata=1:meta.ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus",
    "ServiceAccount: metadata=1:meta.ObjectMeta secrets=2:[ObjectReference] \
        imagePullSecrets=3:[LocalObjectReference] automountServiceAccountToken=4:b*",
    "ServicePort: name=1:s protocol=2:s port=3:i32! targetPort=4:intstr.IntOrString nodePort=5:i32 \
        appProtocol=6:s*",
    "ServiceSpec: ports=1:[ServicePort] selector=2:{s:s} clusterIP=3:s type=4:s externalIPs=5:[s] \
        sessionAffinity=7:s loadBalancerIP=8:s loadBalancerSourceRanges=9:[s] externalName=10:s \
        externalTrafficPolicy=11:s healthCheckNodePort=12:i32 publishNotReadyAddresses=13:b \
        sessionAffinityConfig=14:SessionAffinityConfig* ipFamilyPolicy=17:s* clusterIPs=18:[s] ipFamilies=19:[s] \
        allocateLoadBalancerNodePorts=20:b* loadBalancerClass=21:s* internalTrafficPolicy=22:s* \
        trafficDistribution=23:s*",
    "ServiceStatus: loadBalancer=1:LoadBalancerStatus conditions=2:[meta.Condition]",
    "SessionAffinityConfig: clientIP=1:ClientIPConfig*",
    "VolumeMountStatus: name=1:s! mountPath=2:s! readOnly=3:b recursiveReadOnly=4:s*",
];
