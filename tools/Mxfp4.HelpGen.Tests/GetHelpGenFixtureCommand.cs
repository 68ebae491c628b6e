using System.Management.Automation;

namespace Mxfp4.HelpGen.Tests;

/// <summary>
/// The cmdlet that Fixtures/valid/Get-HelpGenFixture.md documents: Get-Help finds binary-cmdlet help through the
/// cmdlet's assembly (<c>Mxfp4.HelpGen.Tests.dll-Help.xml</c> under en-US), so the test assembly must own it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HelpGenFixture", DefaultParameterSetName = "Path")]
[OutputType(typeof(PSObject))]
public sealed class GetHelpGenFixtureCommand : PSCmdlet
{
    [Parameter(ParameterSetName = "Path", Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    [ValidateSet("F32", "BF16", "F16")]
    public string Format { get; set; } = "F32";

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in ParameterSetName == "Path" ? Path : LiteralPath)
        {
            var record = new PSObject();
            record.Properties.Add(new PSNoteProperty("Path", path));
            record.Properties.Add(new PSNoteProperty("Format", Format));
            WriteObject(record);
        }
    }
}
