namespace Mxfp4.PowerShell;

internal static class Placeholder
{
}
