BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    # Another version of the module's one dependency, restored for this test by tests/Mxfp4.PowerShell.Tests.
    $otherTensors = Join-Path $packages 'system.numerics.tensors' '9.0.0' 'lib' 'net8.0' 'System.Numerics.Tensors.dll'
}

Describe 'The module''s own assembly load context' {
    It 'works in a session that loaded another version of System.Numerics.Tensors first' {
        $otherTensors | Should -Exist
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$otherTensors'
Import-Module '$(Join-Path $repo 'output' 'Mxfp4')'
`$tensor = Get-SafetensorsHeader '$sharded' -Name 'model.layers.0.self_attn.sinks'
# BF16 to F16 goes through TensorPrimitives.ConvertToHalf, the dependency's code.
'f16=' + ((`$tensor | ConvertFrom-Mxfp4 -Format F16).Data -join ',')
[AppDomain]::CurrentDomain.GetAssemblies() |
    Where-Object { `$_.GetName().Name -in 'System.Numerics.Tensors', 'Mxfp4.Core', 'Mxfp4.PowerShell' } |
    ForEach-Object {
        'loaded={0} {1} {2}' -f `$_.GetName().Name, `$_.GetName().Version,
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } |
    Sort-Object
"@
        $output = & $pwsh -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object ToString
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")

        # The expected halves from the raw BF16 bits, independently of the module: widen to float32, round to F16.
        $tensor = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.sinks'
        $bytes = Get-Content $tensor.Path -AsByteStream -Raw
        $expected = 0..($tensor.ElementCount - 1) | ForEach-Object {
            [Half][BitConverter]::UInt32BitsToSingle([uint32][BitConverter]::ToUInt16($bytes, $tensor.DataOffset + 2 * $_) -shl 16)
        }
        $output | Should -Contain ('f16=' + ($expected -join ','))
        $output | Where-Object { $_ -like 'loaded=*' } | Should -Be @(
            'loaded=Mxfp4.Core 0.1.0.0 Mxfp4'
            'loaded=Mxfp4.PowerShell 0.1.0.0 Mxfp4'
            'loaded=System.Numerics.Tensors 10.0.0.0 Mxfp4'
            'loaded=System.Numerics.Tensors 9.0.0.0 Default'
        )
    }
}
