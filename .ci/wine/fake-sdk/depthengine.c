/* Stands in for the Azure Kinect SDK's depthengine_2_0.dll in .ci/windows-lane: a DLL that k4a.dll imports from its
 * own folder. */
__declspec(dllexport) int depthengine_probe(void)
{
    return 1;
}
