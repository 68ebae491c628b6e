using System.Reflection;
using System.Runtime.Loader;

namespace Mxfp4.Loader;

/// <summary>
/// The module's own assembly load context. The cmdlets (Mxfp4.PowerShell), the engine (Mxfp4.Core) and every
/// dependency shipped beside them (System.Numerics.Tensors) load here from the module's <c>bin</c> folder, so a
/// different version of a dependency that another module loaded into pwsh's default context cannot conflict with
/// ours, in either direction. Anything not in that folder (the framework, PowerShell itself) resolves from the
/// default context, which keeps one System.Management.Automation for pwsh and the cmdlets.
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string CmdletAssembly = "Mxfp4.PowerShell";

    private static readonly object Gate = new();
    private static ModuleLoadContext? _instance;

    private readonly string _directory;
    private readonly Assembly _loader = typeof(ModuleLoadContext).Assembly;

    private ModuleLoadContext(string directory)
        : base("Mxfp4")
    {
        _directory = directory;
        CmdletAssemblyInContext = LoadFromAssemblyPath(Path.Combine(directory, CmdletAssembly + ".dll"));
    }

    private Assembly CmdletAssemblyInContext { get; }

    /// <summary>
    /// The cmdlet assembly, loaded in the module's context (created on the first call; Import-Module -Force imports
    /// the same assembly again, since a load context keeps what it loaded).
    /// </summary>
    public static Assembly Initialize()
    {
        lock (Gate)
        {
            _instance ??= new ModuleLoadContext(Path.GetDirectoryName(typeof(ModuleLoadContext).Assembly.Location)!);
            return _instance.CmdletAssemblyInContext;
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (AssemblyName.ReferenceMatchesDefinition(_loader.GetName(), assemblyName))
        {
            return _loader;
        }

        string path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
