# Issue 13, rules 5 and 6: nothing is left behind whatever stops the work, and bad parameters get specific errors.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $down = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.down_proj'

    # A one-pair MXFP4 checkpoint whose data is a hole (all zero, no disk used): converting it writes
    # experts x rows x columns BF16 elements, enough to take seconds.
    function New-SparseCheckpoint([string] $Directory, [long] $Experts, [long] $Rows, [long] $Columns) {
        New-Item -ItemType Directory -Path $Directory -Force | Out-Null
        $groups = $Columns / 32
        $blockBytes = $Experts * $Rows * $groups * 16
        $scaleBytes = $Experts * $Rows * $groups
        $json = '{"model.layers.0.mlp.experts.down_proj_blocks":{"dtype":"U8","shape":[' + "$Experts,$Rows,$groups,16" +
            '],"data_offsets":[0,' + $blockBytes + ']},"model.layers.0.mlp.experts.down_proj_scales":{"dtype":"U8","shape":[' +
            "$Experts,$Rows,$groups" + '],"data_offsets":[' + "$blockBytes,$($blockBytes + $scaleBytes)" + ']}}'
        $json += ' ' * ((8 - $json.Length % 8) % 8)
        $path = Join-Path $Directory 'model.safetensors'
        $stream = [System.IO.File]::Create($path)
        try {
            $stream.Write([System.BitConverter]::GetBytes([long]$json.Length), 0, 8)
            $header = [System.Text.Encoding]::ASCII.GetBytes($json)
            $stream.Write($header, 0, $header.Length)
            $stream.SetLength(8 + $header.Length + $blockBytes + $scaleBytes)
        }
        finally {
            $stream.Dispose()
        }
        $path
    }

    # The pinned pwsh as dotnet and pwsh.dll, run directly (not through 'dotnet pwsh', which would put the CLI
    # between a signal and pwsh): this pwsh's own, or the tool package's when the tests run in another host.
    function Get-PwshLauncher {
        $dll = Join-Path $PSHOME 'pwsh.dll'
        if (-not (Test-Path -LiteralPath $dll)) {
            $version = (Get-Content -LiteralPath (Join-Path $repo '.config' 'dotnet-tools.json') -Raw |
                ConvertFrom-Json).tools.powershell.version
            $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
                Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget' 'packages' }
            $dll = Get-ChildItem -LiteralPath (Join-Path $packages 'powershell' $version 'tools') -Recurse -Filter 'pwsh.dll' |
                Where-Object FullName -Match '[\\/]unix[\\/]' | Select-Object -First 1 -ExpandProperty FullName
        }
        $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application |
            Select-Object -First 1).Source }
        $dotnet, $dll
    }

    # Runs $Script in a child pwsh with the staged module imported, and returns the process once $Started holds.
    function Start-ChildPwsh([string] $Script, [scriptblock] $Started) {
        $module = Join-Path $repo 'output' 'Mxfp4'
        $dotnet, $dll = Get-PwshLauncher
        $info = [System.Diagnostics.ProcessStartInfo]::new($dotnet)
        foreach ($argument in @($dll, '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$module'; $Script")) {
            $info.ArgumentList.Add($argument)
        }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (& $Started) -and -not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        $process
    }

    # A legal header of a million one-byte tensors: parsing and validating it takes seconds.
    function New-HugeHeaderFile([string] $Path, [int] $Count) {
        $json = [System.Text.StringBuilder]::new(64 * $Count)
        [void]$json.Append('{')
        for ($i = 0; $i -lt $Count; $i++) {
            if ($i -gt 0) { [void]$json.Append(',') }
            [void]$json.Append('"t').Append($i).Append('":{"dtype":"U8","shape":[1],"data_offsets":[')
            [void]$json.Append($i).Append(',').Append($i + 1).Append(']}')
        }
        [void]$json.Append('}')
        while ($json.Length % 8) { [void]$json.Append(' ') }
        $header = [System.Text.Encoding]::ASCII.GetBytes($json.ToString())
        $stream = [System.IO.File]::Create($Path)
        try {
            $stream.Write([System.BitConverter]::GetBytes([long]$header.Length), 0, 8)
            $stream.Write($header, 0, $header.Length)
            $stream.SetLength(8 + $header.Length + $Count)
        }
        finally {
            $stream.Dispose()
        }
    }

}

Describe 'SIGTERM (timeout, docker stop, CI cancellation)' {
    BeforeAll {
        $big = New-SparseCheckpoint (Join-Path $TestDrive 'big') 16 2048 16384
    }

    It 'removes the temporary files and the created destination of a conversion' {
        $destination = Join-Path $TestDrive 'killed-conversion'
        $child = Start-ChildPwsh "ConvertFrom-Mxfp4 -LiteralPath '$big' -Destination '$destination'" {
            @(Get-ChildItem -LiteralPath $destination -Force -Filter '*.mxfp4-partial' -ErrorAction Ignore).Count -gt 0
        }
        $child.HasExited | Should -BeFalse -Because 'the conversion must still be running when it is signalled'
        & kill -TERM $child.Id
        $child.WaitForExit(30000) | Should -BeTrue
        Test-Path -LiteralPath $destination | Should -BeFalse
    }

    It 'removes the temporary file of -OutFile' {
        $directory = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'killed-outfile')
        $outFile = Join-Path $directory 'down.f32'
        $child = Start-ChildPwsh "Get-Mxfp4Tensor -LiteralPath '$big' | ConvertFrom-Mxfp4 -OutFile '$outFile'" {
            @(Get-ChildItem -LiteralPath $directory -Force -Filter '*.mxfp4-partial').Count -gt 0
        }
        $child.HasExited | Should -BeFalse
        & kill -TERM $child.Id
        $child.WaitForExit(30000) | Should -BeTrue
        @(Get-ChildItem -LiteralPath $directory -Force).Name | Should -BeNullOrEmpty
    }
}

Describe 'Temporary files a stopped run left behind' {
    BeforeEach {
        $destination = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $destination | Out-Null
        $partial = Join-Path $destination '.model-00001-of-00002.safetensors.0123abcd.mxfp4-partial'
        [System.IO.File]::WriteAllBytes($partial, [byte[]]::new(100))
    }

    It 'names them in the OutputExists error' {
        ConvertFrom-Mxfp4 -LiteralPath $sharded -Destination $destination -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'OutputExists,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        $err[0].Exception.Message | Should -Match ([regex]::Escape('.model-00001-of-00002.safetensors.0123abcd.mxfp4-partial'))
        $err[0].Exception.Message | Should -Match 'stopped'
    }

    It 'removes them with -Force' {
        ConvertFrom-Mxfp4 -LiteralPath $sharded -Destination $destination -Force -ErrorAction Stop
        Test-Path -LiteralPath $partial | Should -BeFalse
        @(Get-ChildItem -LiteralPath $destination -Force -Filter '*.mxfp4-partial') | Should -HaveCount 0
        Test-Path -LiteralPath (Join-Path $destination 'model-00001-of-00002.safetensors') | Should -BeTrue
    }
}

Describe '-OutFile' {
    It 'leaves a good file alone when the command before it fails (-Force)' {
        $outFile = Join-Path $TestDrive 'good.f32'
        Set-Content -LiteralPath $outFile -Value 'precious' -NoNewline
        Get-Mxfp4Tensor (Join-Path $TestDrive 'no-such-checkpoint-typo') -ErrorAction SilentlyContinue |
            ConvertFrom-Mxfp4 -OutFile $outFile -Force -ErrorVariable err -ErrorAction SilentlyContinue
        Get-Content -LiteralPath $outFile -Raw | Should -Be 'precious'
        $err[0].FullyQualifiedErrorId | Should -Be 'OutFileNotWritten,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        @(Get-ChildItem -LiteralPath $TestDrive -Force -Filter '*.mxfp4-partial') | Should -HaveCount 0
    }

    It 'writes a file whose name is 250 bytes long' {
        $outFile = Join-Path $TestDrive ('n' * 246 + '.f32')
        $down | ConvertFrom-Mxfp4 -Expert 0 -Row 0 -OutFile $outFile -ErrorAction Stop
        (Get-Item -LiteralPath $outFile).Length | Should -Be (64 * 4)
    }

    It 'writes a file whose 250-byte name has multi-byte characters' {
        $outFile = Join-Path $TestDrive ('é' * 123 + '.f32')
        [System.Text.Encoding]::UTF8.GetByteCount((Split-Path $outFile -Leaf)) | Should -Be 250
        $down | ConvertFrom-Mxfp4 -Expert 0 -Row 0 -OutFile $outFile -ErrorAction Stop
        (Get-Item -LiteralPath $outFile).Length | Should -Be (64 * 4)
    }
}

Describe 'Parameters' {
    It 'refuses a -Row range whose width overflows 64 bits, at once' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        { $down | ConvertFrom-Mxfp4 -Row '-9223372036854775808..9223372036854775807' } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'reports PathNotFound for a -Path wildcard that matches nothing' {
        Get-SafetensorsHeader -Path (Join-Path $TestDrive 'nothing-*.safetensors') -ErrorVariable err -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $err[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,Mxfp4.PowerShell.Commands.GetSafetensorsHeaderCommand'
    }
}

Describe 'The rewritten index of a conversion' {
    It 'recomputes metadata.total_parameters as the elements of the output tensors' {
        $source = Join-Path $TestDrive 'with-parameters'
        Copy-Item -LiteralPath $sharded -Destination $source -Recurse
        $indexPath = Join-Path $source 'model.safetensors.index.json'
        $index = Get-Content -LiteralPath $indexPath -Raw | ConvertFrom-Json
        $index.metadata | Add-Member -NotePropertyName total_parameters -NotePropertyValue 12345
        $index | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $indexPath
        $destination = Join-Path $TestDrive 'with-parameters-bf16'
        ConvertFrom-Mxfp4 -LiteralPath $source -Destination $destination -ErrorAction Stop

        # Expected independently: every tensor in the output headers, elements = product of the shape.
        $expected = 0L
        foreach ($tensor in Get-SafetensorsHeader -LiteralPath $destination) {
            $count = 1L
            foreach ($d in $tensor.Shape) { $count *= $d }
            $expected += $count
        }
        $written = Get-Content -LiteralPath (Join-Path $destination 'model.safetensors.index.json') -Raw | ConvertFrom-Json
        $written.metadata.total_parameters | Should -Be $expected
        $expected | Should -Not -Be 12345
    }
}

# Ctrl+C reaches a cmdlet as StopProcessing, which pwsh calls only on a terminal; PowerShell.Stop() calls it the same way.
Describe 'Stopping (Ctrl+C)' {
    BeforeAll {
        # Starts $Script in a new runspace, stops it after $After seconds, and returns how long Stop() took.
        function Measure-Stop([string] $Script, [double] $After) {
            $ps = [powershell]::Create()
            try {
                [void]$ps.AddScript("Import-Module '$(Join-Path $repo 'output' 'Mxfp4')'; $Script")
                [void]$ps.BeginInvoke()
                Start-Sleep -Seconds $After
                $ps.InvocationStateInfo.State | Should -Be 'Running' -Because 'the work must still be going on when it is stopped'
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $clock.Elapsed.TotalSeconds
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally {
                $ps.Dispose()
            }
        }

        $huge = Join-Path $TestDrive 'huge.safetensors'
        New-HugeHeaderFile $huge 1000000
    }

    It 'stops within a second while a header of a million tensors is parsed' {
        Measure-Stop "Get-SafetensorsHeader -LiteralPath '$huge' | Select-Object -Last 1" 1.5 | Should -BeLessThan 1
    }

    It 'stops within a second while a large non-checkpoint file is copied' {
        $source = Join-Path $TestDrive 'with-blob'
        Copy-Item -LiteralPath $sharded -Destination $source -Recurse
        $blob = [System.IO.File]::Create((Join-Path $source 'consolidated.bin'))
        $blob.SetLength(16GB)
        $blob.Dispose()
        $destination = Join-Path $TestDrive 'with-blob-bf16'
        Measure-Stop "ConvertFrom-Mxfp4 -LiteralPath '$source' -Destination '$destination'" 2 | Should -BeLessThan 1
        Test-Path -LiteralPath $destination | Should -BeFalse
    }

    # The real thing: Ctrl+C typed on a terminal. script(1) gives the child pwsh a pseudo-terminal whose line
    # discipline turns the ^C byte into SIGINT, which pwsh turns into StopProcessing.
    It 'stops header parsing within a second when Ctrl+C is typed on a pseudo-terminal' -Skip:(
        -not (Get-Command script -CommandType Application -ErrorAction Ignore)) {
        $started = Join-Path $TestDrive 'tty-started'
        $ended = Join-Path $TestDrive 'tty-ended'
        $module = Join-Path $repo 'output' 'Mxfp4'
        $child = "Import-Module '$module'; Set-Content '$started' 1; " +
            "try { Get-SafetensorsHeader -LiteralPath '$huge' | Select-Object -Last 1 | Out-Null; Set-Content '$ended' completed } " +
            "finally { if (-not (Test-Path '$ended')) { Set-Content '$ended' stopped } }"
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($child))
        $dotnet, $dll = Get-PwshLauncher
        $pwsh = "'$dotnet' '$dll'"
        $info = [System.Diagnostics.ProcessStartInfo]::new('script')
        foreach ($argument in '-qfc', "$pwsh -NoProfile -EncodedCommand $encoded", '/dev/null') { $info.ArgumentList.Add($argument) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $started) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Milliseconds 1500
            Test-Path $ended | Should -BeFalse -Because 'parsing must still be going on when Ctrl+C is typed'
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $process.StandardInput.Write([char]3)
            $process.StandardInput.Flush()
            $outcome = $null
            while (-not $outcome -and $clock.Elapsed.TotalSeconds -lt 30) {
                Start-Sleep -Milliseconds 20
                $outcome = Get-Content -LiteralPath $ended -ErrorAction Ignore
            }
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 1
            $outcome | Should -Be 'stopped'
        }
        finally {
            try { $process.StandardInput.Close() } catch [System.IO.IOException] { }
            if (-not $process.WaitForExit(10000)) { $process.Kill($true) }
        }
    }
}

Describe 'Limits and parameters of Invoke-Mxfp4MatVec and conversion' {
    It 'binds a float[] of 10^8 elements to -Vector without boxing each element' {
        $vector = [float[]]::new(100000000)
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $down | Invoke-Mxfp4MatVec -Expert 0 -Vector $vector -ErrorVariable err -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
        # The vector arrived whole: its length, not a batch of one-element vectors, is what does not match.
        $err[0].FullyQualifiedErrorId | Should -Be 'ShapeMismatch,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
        $err[0].Exception.Message | Should -Match '100000000'
    }

    It 'binds a double[] as one vector' {
        $vector = [double[]](1..64)
        $fromDouble = $down | Invoke-Mxfp4MatVec -Expert 0 -Vector $vector
        $fromFloat = $down | Invoke-Mxfp4MatVec -Expert 0 -Vector ([float[]](1..64))
        ($fromDouble.Values -join ',') | Should -Be ($fromFloat.Values -join ',')
    }

    It 'refuses -Vector $null instead of reading it as [0]' {
        { $down | Invoke-Mxfp4MatVec -Expert 0 -Vector $null } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
        { $down | Invoke-Mxfp4MatVec -Expert 0 -Vector @(1, $null, 2) } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
    }

    It 'reports LimitsExceeded for a matrix wider than a vector can be (K/32 > 2^31)' {
        # 2^31 + 1 groups per row: a 36 GB sparse file whose data is never read.
        $wide = New-SparseCheckpoint (Join-Path $TestDrive 'wide') 1 1 ((2147483648 + 1) * 32)
        Get-Mxfp4Tensor -LiteralPath $wide | Invoke-Mxfp4MatVec -Expert 0 -Vector 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'LimitsExceeded,Mxfp4.PowerShell.Commands.InvokeMxfp4MatVecCommand'
        $err[0].Exception | Should -Not -BeOfType ([System.OverflowException])
    }

    It 'reports LimitsExceeded for -Layout Transformers with an expert over 2 GiB, before writing anything' {
        # One [32768, 32768] expert is 2 GiB as BF16.
        $source = Split-Path (New-SparseCheckpoint (Join-Path $TestDrive 'big-expert') 1 32768 32768)
        $destination = Join-Path $TestDrive 'big-expert-bf16'
        ConvertFrom-Mxfp4 -LiteralPath $source -Destination $destination -Layout Transformers `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'LimitsExceeded,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        Test-Path -LiteralPath $destination | Should -BeFalse
    }

    It '-WithBias looks only in the tensor''s own checkpoint, not a backup beside it' {
        $directory = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'with-backup')
        Copy-Item -LiteralPath (Join-Path $original 'model.safetensors') -Destination $directory
        Copy-Item -LiteralPath (Join-Path $original 'model.safetensors') -Destination (Join-Path $directory 'model-backup.safetensors')
        $x = [float[]](1..64)
        $expected = Get-Mxfp4Tensor $original -Name 'block.0.mlp.mlp2_weight' |
            Invoke-Mxfp4MatVec -Expert 1 -Vector $x -WithBias -ErrorAction Stop
        $actual = Get-Mxfp4Tensor -LiteralPath (Join-Path $directory 'model.safetensors') -Name 'block.0.mlp.mlp2_weight' |
            Invoke-Mxfp4MatVec -Expert 1 -Vector $x -WithBias -ErrorAction Stop
        ($actual.Values -join ',') | Should -Be ($expected.Values -join ',')
    }

    It 'refuses a NUL in -OutFile or -Destination while binding, not with a bare ArgumentException' {
        { $down | ConvertFrom-Mxfp4 -Expert 0 -Row 0 -OutFile (Join-Path $TestDrive "a`0b") } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        { ConvertFrom-Mxfp4 -LiteralPath $sharded -Destination (Join-Path $TestDrive "d`0x") } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
    }
}
