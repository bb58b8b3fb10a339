//! Message schemas of core/v1 (`k8s.io/api/core/v1`), the PodSpec family.
//!
//! Field numbers come from the group's `generated.proto`; JSON names, `omitempty` and pointer-ness from
//! the Go struct tags and field types. The notation is described in `schema.rs`.

/// The fields `Container` and `EphemeralContainerCommon` share (the same Go fields, the same numbers),
/// written once so the two cannot drift apart.
macro_rules! container_fields {
    () => {
        "name=1:s! image=2:s command=3:[s] args=4:[s] workingDir=5:s ports=6:[ContainerPort] env=7:[EnvVar] \
        resources=8:ResourceRequirements volumeMounts=9:[VolumeMount] livenessProbe=10:Probe* \
        readinessProbe=11:Probe* lifecycle=12:Lifecycle* terminationMessagePath=13:s imagePullPolicy=14:s \
        securityContext=15:SecurityContext* stdin=16:b stdinOnce=17:b tty=18:b envFrom=19:[EnvFromSource] \
        terminationMessagePolicy=20:s volumeDevices=21:[VolumeDevice] startupProbe=22:Probe* \
        resizePolicy=23:[ContainerResizePolicy] restartPolicy=24:s*"
    };
}

pub(super) const CORE_POD: &[&str] = &[
    "AWSElasticBlockStoreVolumeSource: volumeID=1:s! fsType=2:s partition=3:i32 readOnly=4:b",
    "Affinity: nodeAffinity=1:NodeAffinity* podAffinity=2:PodAffinity* podAntiAffinity=3:PodAntiAffinity*",
    "AppArmorProfile: type=1:s! localhostProfile=2:s*",
    "AzureDiskVolumeSource: diskName=1:s! diskURI=2:s! cachingMode=3:s* fsType=4:s* readOnly=5:b* kind=6:s*",
    "AzureFileVolumeSource: secretName=1:s! shareName=2:s! readOnly=3:b",
    "CSIVolumeSource: driver=1:s! readOnly=2:b* fsType=3:s* volumeAttributes=4:{s:s} \
        nodePublishSecretRef=5:LocalObjectReference*",
    "Capabilities: add=1:[s] drop=2:[s]",
    "CephFSVolumeSource: monitors=1:[s]! path=2:s user=3:s secretFile=4:s secretRef=5:LocalObjectReference* \
        readOnly=6:b",
    "CinderVolumeSource: volumeID=1:s! fsType=2:s readOnly=3:b secretRef=4:LocalObjectReference*",
    "ClusterTrustBundleProjection: name=1:s* signerName=2:s* labelSelector=3:meta.LabelSelector* path=4:s! \
        optional=5:b*",
    "ConfigMapEnvSource: ^localObjectReference=1:LocalObjectReference optional=2:b*",
    "ConfigMapKeySelector: ^localObjectReference=1:LocalObjectReference key=2:s! optional=3:b*",
    "ConfigMapProjection: ^localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:b*",
    "ConfigMapVolumeSource: ^localObjectReference=1:LocalObjectReference items=2:[KeyToPath] defaultMode=3:i32* \
        optional=4:b*",
    concat!("Container: ", container_fields!()),
    "ContainerPort: name=1:s hostPort=2:i32 containerPort=3:i32! protocol=4:s hostIP=5:s",
    "ContainerResizePolicy: resourceName=1:s! restartPolicy=2:s!",
    "DownwardAPIProjection: items=1:[DownwardAPIVolumeFile]",
    "DownwardAPIVolumeFile: path=1:s! fieldRef=2:ObjectFieldSelector* resourceFieldRef=3:ResourceFieldSelector* \
        mode=4:i32*",
    "DownwardAPIVolumeSource: items=1:[DownwardAPIVolumeFile] defaultMode=2:i32*",
    "EmptyDirVolumeSource: medium=1:s sizeLimit=2:resource.Quantity*",
    "EnvFromSource: prefix=1:s configMapRef=2:ConfigMapEnvSource* secretRef=3:SecretEnvSource*",
    "EnvVar: name=1:s! value=2:s valueFrom=3:EnvVarSource*",
    "EnvVarSource: fieldRef=1:ObjectFieldSelector* resourceFieldRef=2:ResourceFieldSelector* \
        configMapKeyRef=3:ConfigMapKeySelector* secretKeyRef=4:SecretKeySelector*",
    "EphemeralContainer: ^ephemeralContainerCommon=1:EphemeralContainerCommon targetContainerName=2:s",
    concat!("EphemeralContainerCommon: ", container_fields!()),
    "EphemeralVolumeSource: volumeClaimTemplate=1:PersistentVolumeClaimTemplate*",
    "ExecAction: command=1:[s]",
    "FCVolumeSource: targetWWNs=1:[s] lun=2:i32* fsType=3:s readOnly=4:b wwids=5:[s]",
    "FlexVolumeSource: driver=1:s! fsType=2:s secretRef=3:LocalObjectReference* readOnly=4:b options=5:{s:s}",
    "FlockerVolumeSource: datasetName=1:s datasetUUID=2:s",
    "GCEPersistentDiskVolumeSource: pdName=1:s! fsType=2:s partition=3:i32 readOnly=4:b",
    "GRPCAction: port=1:i32! service=2:s*!",
    "GitRepoVolumeSource: repository=1:s! revision=2:s directory=3:s",
    "GlusterfsVolumeSource: endpoints=1:s! path=2:s! readOnly=3:b",
    "HTTPGetAction: path=1:s port=2:intstr.IntOrString host=3:s scheme=4:s httpHeaders=5:[HTTPHeader]",
    "HTTPHeader: name=1:s! value=2:s!",
    "HostAlias: ip=1:s! hostnames=2:[s]",
    "HostPathVolumeSource: path=1:s! type=2:s*",
    "ISCSIVolumeSource: targetPortal=1:s! iqn=2:s! lun=3:i32! iscsiInterface=4:s fsType=5:s readOnly=6:b \
        portals=7:[s] chapAuthDiscovery=8:b secretRef=10:LocalObjectReference* chapAuthSession=11:b \
        initiatorName=12:s*",
    "ImageVolumeSource: reference=1:s pullPolicy=2:s",
    "KeyToPath: key=1:s! path=2:s! mode=3:i32*",
    "Lifecycle: postStart=1:LifecycleHandler* preStop=2:LifecycleHandler*",
    "LifecycleHandler: exec=1:ExecAction* httpGet=2:HTTPGetAction* tcpSocket=3:TCPSocketAction* \
        sleep=4:SleepAction*",
    "LocalObjectReference: name=1:s",
    "NFSVolumeSource: server=1:s! path=2:s! readOnly=3:b",
    "NodeAffinity: requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector* \
        preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]",
    "NodeSelector: nodeSelectorTerms=1:[NodeSelectorTerm]!",
    "NodeSelectorRequirement: key=1:s! operator=2:s! values=3:[s]",
    "NodeSelectorTerm: matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]",
    "ObjectFieldSelector: apiVersion=1:s fieldPath=2:s!",
    "PersistentVolumeClaimSpec: accessModes=1:[s] resources=2:VolumeResourceRequirements volumeName=3:s \
        selector=4:meta.LabelSelector* storageClassName=5:s* volumeMode=6:s* \
        dataSource=7:TypedLocalObjectReference* dataSourceRef=8:TypedObjectReference* \
        volumeAttributesClassName=9:s*",
    "PersistentVolumeClaimTemplate: metadata=1:meta.ObjectMeta spec=2:PersistentVolumeClaimSpec",
    "PersistentVolumeClaimVolumeSource: claimName=1:s! readOnly=2:b",
    "PhotonPersistentDiskVolumeSource: pdID=1:s! fsType=2:s",
    "PodAffinity: requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] \
        preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]",
    "PodAffinityTerm: labelSelector=1:meta.LabelSelector* namespaces=2:[s] topologyKey=3:s! \
        namespaceSelector=4:meta.LabelSelector* matchLabelKeys=5:[s] mismatchLabelKeys=6:[s]",
    "PodAntiAffinity: requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] \
        preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]",
    "PodDNSConfig: nameservers=1:[s] searches=2:[s] options=3:[PodDNSConfigOption]",
    "PodDNSConfigOption: name=1:s value=2:s*",
    "PodOS: name=1:s!",
    "PodReadinessGate: conditionType=1:s!",
    "PodResourceClaim: name=1:s! resourceClaimName=3:s* resourceClaimTemplateName=4:s*",
    "PodSchedulingGate: name=1:s!",
    "PodSecurityContext: seLinuxOptions=1:SELinuxOptions* runAsUser=2:i64* runAsNonRoot=3:b* \
        supplementalGroups=4:[i64] fsGroup=5:i64* runAsGroup=6:i64* sysctls=7:[Sysctl] \
        windowsOptions=8:WindowsSecurityContextOptions* fsGroupChangePolicy=9:s* seccompProfile=10:SeccompProfile* \
        appArmorProfile=11:AppArmorProfile* supplementalGroupsPolicy=12:s* seLinuxChangePolicy=13:s*",
    "PodSpec: volumes=1:[Volume] containers=2:[Container]! restartPolicy=3:s terminationGracePeriodSeconds=4:i64* \
        activeDeadlineSeconds=5:i64* dnsPolicy=6:s nodeSelector=7:{s:s} serviceAccountName=8:s serviceAccount=9:s \
        nodeName=10:s hostNetwork=11:b hostPID=12:b hostIPC=13:b securityContext=14:PodSecurityContext* \
        imagePullSecrets=15:[LocalObjectReference] hostname=16:s subdomain=17:s affinity=18:Affinity* \
        schedulerName=19:s initContainers=20:[Container] automountServiceAccountToken=21:b* \
        tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24:s priority=25:i32* \
        dnsConfig=26:PodDNSConfig* shareProcessNamespace=27:b* readinessGates=28:[PodReadinessGate] \
        runtimeClassName=29:s* enableServiceLinks=30:b* preemptionPolicy=31:s* overhead=32:{s:resource.Quantity} \
        topologySpreadConstraints=33:[TopologySpreadConstraint] ephemeralContainers=34:[EphemeralContainer] \
        setHostnameAsFQDN=35:b* os=36:PodOS* hostUsers=37:b* schedulingGates=38:[PodSchedulingGate] \
        resourceClaims=39:[PodResourceClaim] resources=40:ResourceRequirements*",
    "PortworxVolumeSource: volumeID=1:s! fsType=2:s readOnly=3:b",
    "PreferredSchedulingTerm: weight=1:i32! preference=2:NodeSelectorTerm",
    "Probe: ^handler=1:ProbeHandler initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32 \
        successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64*",
    "ProbeHandler: exec=1:ExecAction* httpGet=2:HTTPGetAction* tcpSocket=3:TCPSocketAction* grpc=4:GRPCAction*",
    "ProjectedVolumeSource: sources=1:[VolumeProjection]! defaultMode=2:i32*",
    "QuobyteVolumeSource: registry=1:s! volume=2:s! readOnly=3:b user=4:s group=5:s tenant=6:s",
    "RBDVolumeSource: monitors=1:[s]! image=2:s! fsType=3:s pool=4:s user=5:s keyring=6:s \
        secretRef=7:LocalObjectReference* readOnly=8:b",
    "ResourceClaim: name=1:s! request=2:s",
    "ResourceFieldSelector: containerName=1:s resource=2:s! divisor=3:resource.Quantity",
    "ResourceRequirements: limits=1:{s:resource.Quantity} requests=2:{s:resource.Quantity} \
        claims=3:[ResourceClaim]",
    "SELinuxOptions: user=1:s role=2:s type=3:s level=4:s",
    "ScaleIOVolumeSource: gateway=1:s! system=2:s! secretRef=3:LocalObjectReference*! sslEnabled=4:b \
        protectionDomain=5:s storagePool=6:s storageMode=7:s volumeName=8:s fsType=9:s readOnly=10:b",
    "SeccompProfile: type=1:s! localhostProfile=2:s*",
    "SecretEnvSource: ^localObjectReference=1:LocalObjectReference optional=2:b*",
    "SecretKeySelector: ^localObjectReference=1:LocalObjectReference key=2:s! optional=3:b*",
    "SecretProjection: ^localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:b*",
    "SecretVolumeSource: secretName=1:s items=2:[KeyToPath] defaultMode=3:i32* optional=4:b*",
    "SecurityContext: capabilities=1:Capabilities* privileged=2:b* seLinuxOptions=3:SELinuxOptions* \
        runAsUser=4:i64* runAsNonRoot=5:b* readOnlyRootFilesystem=6:b* allowPrivilegeEscalation=7:b* \
        runAsGroup=8:i64* procMount=9:s* windowsOptions=10:WindowsSecurityContextOptions* \
        seccompProfile=11:SeccompProfile* appArmorProfile=12:AppArmorProfile*",
    "ServiceAccountTokenProjection: audience=1:s expirationSeconds=2:i64* path=3:s!",
    "SleepAction: seconds=1:i64!",
    "StorageOSVolumeSource: volumeName=1:s volumeNamespace=2:s fsType=3:s readOnly=4:b \
        secretRef=5:LocalObjectReference*",
    "Sysctl: name=1:s! value=2:s!",
    "TCPSocketAction: port=1:intstr.IntOrString host=2:s",
    "Toleration: key=1:s operator=2:s value=3:s effect=4:s tolerationSeconds=5:i64*",
    "TopologySpreadConstraint: maxSkew=1:i32! topologyKey=2:s! whenUnsatisfiable=3:s! \
        labelSelector=4:meta.LabelSelector* minDomains=5:i32* nodeAffinityPolicy=6:s* nodeTaintsPolicy=7:s* \
        matchLabelKeys=8:[s]",
    "TypedLocalObjectReference: apiGroup=1:s*! kind=2:s! name=3:s!",
    "TypedObjectReference: apiGroup=1:s*! kind=2:s! name=3:s! namespace=4:s*",
    "Volume: name=1:s! ^volumeSource=2:VolumeSource",
    "VolumeDevice: name=1:s! devicePath=2:s!",
    "VolumeMount: name=1:s! readOnly=2:b mountPath=3:s! subPath=4:s mountPropagation=5:s* subPathExpr=6:s \
        recursiveReadOnly=7:s*",
    "VolumeProjection: secret=1:SecretProjection* downwardAPI=2:DownwardAPIProjection* \
        configMap=3:ConfigMapProjection* serviceAccountToken=4:ServiceAccountTokenProjection* \
        clusterTrustBundle=5:ClusterTrustBundleProjection*",
    "VolumeResourceRequirements: limits=1:{s:resource.Quantity} requests=2:{s:resource.Quantity}",
    "VolumeSource: hostPath=1:HostPathVolumeSource* emptyDir=2:EmptyDirVolumeSource* \
        gcePersistentDisk=3:GCEPersistentDiskVolumeSource* \
        awsElasticBlockStore=4:AWSElasticBlockStoreVolumeSource* gitRepo=5:GitRepoVolumeSource* \
        secret=6:SecretVolumeSource* nfs=7:NFSVolumeSource* iscsi=8:ISCSIVolumeSource* \
        glusterfs=9:GlusterfsVolumeSource* persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource* \
        rbd=11:RBDVolumeSource* flexVolume=12:FlexVolumeSource* cinder=13:CinderVolumeSource* \
        cephfs=14:CephFSVolumeSource* flocker=15:FlockerVolumeSource* downwardAPI=16:DownwardAPIVolumeSource* \
        fc=17:FCVolumeSource* azureFile=18:AzureFileVolumeSource* configMap=19:ConfigMapVolumeSource* \
        vsphereVolume=20:VsphereVirtualDiskVolumeSource* quobyte=21:QuobyteVolumeSource* \
        azureDisk=22:AzureDiskVolumeSource* photonPersistentDisk=23:PhotonPersistentDiskVolumeSource* \
        portworxVolume=24:PortworxVolumeSource* scaleIO=25:ScaleIOVolumeSource* \
        projected=26:ProjectedVolumeSource* storageos=27:StorageOSVolumeSource* csi=28:CSIVolumeSource* \
        ephemeral=29:EphemeralVolumeSource* image=30:ImageVolumeSource*",
    "VsphereVirtualDiskVolumeSource: volumePath=1:s! fsType=2:s storagePolicyName=3:s storagePolicyID=4:s",
    "WeightedPodAffinityTerm: weight=1:i32! podAffinityTerm=2:PodAffinityTerm",
    "WindowsSecurityContextOptions: gmsaCredentialSpecName=1:s* gmsaCredentialSpec=2:s* runAsUserName=3:s* \
        hostProcess=4:b*",
];
