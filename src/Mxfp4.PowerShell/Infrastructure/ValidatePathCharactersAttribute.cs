using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// Refuses an output path holding a character no file name may contain (NUL everywhere; control characters too on
/// Windows) while parameters are bound, where .NET would otherwise throw a bare ArgumentException mid-command.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePathCharactersAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        object? value = arguments is PSObject ps ? ps.BaseObject : arguments;
        if (value is string path && path.IndexOfAny(Path.GetInvalidPathChars()) is int at and >= 0)
        {
            throw new ValidationMetadataException(
                $"The path holds the character U+{(int)path[at]:X4} at position {at}, which no file name may contain.");
        }
    }
}
