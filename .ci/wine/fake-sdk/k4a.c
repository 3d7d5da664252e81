/* Stands in for the Azure Kinect SDK's k4a.dll in .ci/windows-lane: it imports the depth engine beside it, as the real
 * one does, and exports none of the API, so k4sync loads it and then says what it lacks. Loading it from a folder
 * that is not on PATH shows that k4sync searches the library's own folder for its dependencies. */
__declspec(dllimport) int depthengine_probe(void);

__declspec(dllexport) int k4a_fake_probe(void)
{
    return depthengine_probe();
}
