BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SafetensorsFile.ps1')
    $command = 'Mxfp4.PowerShell.Commands.TestSafetensorsCheckpointCommand'
    $shard1 = 'model-00001-of-00002.safetensors'
    $shard2 = 'model-00002-of-00002.safetensors'

    function New-SampleCopy {
        $copy = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        Copy-Item $sharded $copy -Recurse
        $copy
    }

    # A Hugging Face hub cache layout of the sample: blobs named by SHA-256 (LFS shards) or SHA-1 (small files, as
    # git names them), and a snapshot of relative links to them.
    function New-HfSnapshot {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('n')) 'models--test--tiny'
        $blobs = Join-Path $repository 'blobs'
        $snapshot = Join-Path $repository 'snapshots' '0123456789abcdef0123456789abcdef01234567'
        $null = New-Item -ItemType Directory $blobs, $snapshot
        foreach ($file in Get-ChildItem $sharded -File) {
            $algorithm = if ($file.Extension -eq '.safetensors') { 'SHA256' } else { 'SHA1' }
            $blob = (Get-FileHash $file.FullName -Algorithm $algorithm).Hash.ToLowerInvariant()
            Copy-Item $file.FullName (Join-Path $blobs $blob)
            $null = [System.IO.File]::CreateSymbolicLink((Join-Path $snapshot $file.Name), "../../blobs/$blob")
        }

        $snapshot
    }

    # Runs a command in a child pwsh as CI would (pwsh -NonInteractive -Command), with the staged module imported.
    # This process may be pwsh itself, dotnet running pwsh.dll (pwsh as a dotnet tool), or a host embedding
    # PowerShell; the last falls back to the repository's pinned tool, `dotnet pwsh`.
    function Invoke-Child([string] $Script) {
        $exe = (Get-Process -Id $PID).Path
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $prefix = @(
            if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
                if (Test-Path $pwshDll) { $pwshDll } else { 'pwsh' }
            })
        $module = Join-Path $repo 'output' 'Mxfp4'
        Push-Location $repo
        try {
            $output = & $exe @prefix -NoProfile -NonInteractive -Command "Import-Module '$module'; $Script" 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
        }
        finally {
            Pop-Location
        }
    }

    function Get-Ids($Errors) { @($Errors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) }

    function Set-Bytes([string] $Path, [long] $Offset, [byte[]] $Bytes) {
        $stream = [System.IO.File]::Open($Path, 'Open', 'ReadWrite')
        try { $stream.Position = $Offset; $stream.Write($Bytes, 0, $Bytes.Length) } finally { $stream.Dispose() }
    }

    function Remove-Tensor([string] $Shard, [string] $Name) { Remove-SafetensorsTensor -Path $Shard -Name $Name }

    # Hugging Face cache snapshots are links into ../../blobs. Whether the strict reader follows such links (rather
    # than refusing them as ShardOutsideCheckpoint) is decided elsewhere; the tests that need a linked snapshot to
    # read cleanly are skipped, with this reason, until it does.
    $probe = Join-Path ([System.IO.Path]::GetTempPath()) ('mxfp4-link-probe-' + [guid]::NewGuid().ToString('n'))
    try {
        $null = New-Item -ItemType Directory (Join-Path $probe 'blobs'), (Join-Path $probe 'snapshots' 'rev')
        $probeShard = Join-Path $original 'model.safetensors'
        Copy-Item $probeShard (Join-Path $probe 'blobs' 'blob')
        $entries = (Get-SafetensorsHeader $probeShard).Name | ForEach-Object { '"' + $_ + '": "model.safetensors"' }
        Set-Content (Join-Path $probe 'snapshots' 'rev' 'model.safetensors.index.json') ('{"weight_map": {' + ($entries -join ', ') + '}}')
        $null = [System.IO.File]::CreateSymbolicLink((Join-Path $probe 'snapshots' 'rev' 'model.safetensors'), '../../blobs/blob')
        $linksFollowed = $null -ne (Get-SafetensorsHeader (Join-Path $probe 'snapshots' 'rev') -ErrorAction SilentlyContinue)
    }
    finally {
        Remove-Item $probe -Recurse -Force
    }

    $hfSkipReason = if ($linksFollowed) { $null } else {
        'the checkpoint reader refuses links into an HF cache blobs/ directory (ShardOutsideCheckpoint) until link following lands'
    }
}

Describe 'Test-SafetensorsCheckpoint' {
    Context 'a clean checkpoint' {
        It 'passes every file and the summary, with no error or warning' {
            $results = Test-SafetensorsCheckpoint $sharded -Hash -Deep -ErrorVariable errors -WarningVariable warnings
            $files = $results | Where-Object { $_.PSObject.TypeNames[0] -eq 'Mxfp4.Core.Verification.FileVerification' }
            $summary = $results | Where-Object { $_.PSObject.TypeNames[0] -eq 'Mxfp4.Core.Verification.CheckpointVerification' }
            (($files | ForEach-Object { [System.IO.Path]::GetFileName($_.Path) }) -join ',') |
                Should -Be "model.safetensors.index.json,$shard1,$shard2,config.json"
            ($files.Status | Sort-Object -Unique) | Should -Be 'Passed'
            $summary.Status | Should -Be 'Passed'
            $summary.Passed | Should -BeTrue
            $summary.TensorCount | Should -Be 33
            $errors | Should -HaveCount 0
            $warnings | Should -HaveCount 0
        }

        It 'hashes every shard with SHA-256 (checked against Get-FileHash)' {
            $files = Test-SafetensorsCheckpoint $sharded -Hash |
                Where-Object { $_.PSObject.TypeNames[0] -eq 'Mxfp4.Core.Verification.FileVerification' -and $_.Path -like '*.safetensors' }
            $files | Should -HaveCount 2
            foreach ($file in $files) {
                $file.Sha256 | Should -Be (Get-FileHash $file.Path -Algorithm SHA256).Hash.ToLowerInvariant()
            }
        }

        It 'passes the single-file original checkpoint' {
            Test-SafetensorsCheckpoint (Join-Path $original 'model.safetensors') -Deep -Quiet | Should -BeTrue
        }

        It 'returns only $true with -Quiet' {
            $result = @(Test-SafetensorsCheckpoint $sharded -Quiet)
            $result | Should -HaveCount 1
            $result[0] | Should -BeOfType ([bool])
            $result[0] | Should -BeTrue
        }

        It 'exits 0 from pwsh -NonInteractive -Command' {
            $child = Invoke-Child "Test-SafetensorsCheckpoint '$sharded' -Hash -Deep"
            $child.ExitCode | Should -Be 0 -Because $child.Output
        }

        It 'accepts a manifest in sha256sum format that matches' {
            $copy = New-SampleCopy
            $lines = foreach ($shard in $shard1, $shard2) {
                (Get-FileHash (Join-Path $copy $shard)).Hash.ToLowerInvariant() + '  ' + $shard
            }
            Set-Content (Join-Path $copy 'SHA256SUMS') $lines
            Test-SafetensorsCheckpoint $copy -Manifest (Join-Path $copy 'SHA256SUMS') -Quiet | Should -BeTrue
        }
    }

    Context 'defects, each with its id and a failing exit' {
        It 'reports a truncated shard as InvalidSafetensorsHeader (TruncatedFile)' {
            $copy = New-SampleCopy
            $path = Join-Path $copy $shard2
            $stream = [System.IO.File]::Open($path, 'Open', 'ReadWrite')
            try { $stream.SetLength($stream.Length - 10) } finally { $stream.Dispose() }
            $results = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'InvalidSafetensorsHeader'
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidSafetensorsHeader,$command"
            $file = $results | Where-Object Path -eq $path
            $file.Status | Should -Be 'Failed'
            $file.Problems[0].Kind | Should -Be 'TruncatedFile'
            ($results | Select-Object -Last 1).Status | Should -Be 'Failed'
            $child = Invoke-Child "Test-SafetensorsCheckpoint '$copy'"
            $child.ExitCode | Should -Be 1
            $child.Output | Should -Match 'TruncatedFile'
        }

        It 'reports a deleted shard as ShardNotFound' {
            $copy = New-SampleCopy
            Remove-Item (Join-Path $copy $shard1)
            $null = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'ShardNotFound'
            $errors[0].FullyQualifiedErrorId | Should -Be "ShardNotFound,$command"
            $errors[0].TargetObject | Should -Be (Join-Path $copy $shard1)
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy'").ExitCode | Should -Be 1

            # pwsh -Command exits with the success of its last statement: a later statement that succeeds hides the
            # errors (as the help says), and -ErrorAction Stop ends the script at the first one with exit code 1.
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy'; 'after'").ExitCode | Should -Be 0
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy' -ErrorAction Stop; 'after'").ExitCode | Should -Be 1
        }

        It 'warns of a safetensors file the index never names; -WarningAction Stop makes the exit fail' {
            $copy = New-SampleCopy
            Copy-Item (Join-Path $original 'model.safetensors') (Join-Path $copy 'extra.safetensors')
            $results = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -WarningVariable warnings -WarningAction SilentlyContinue
            $errors | Should -HaveCount 0
            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -Match '^ShardNotIndexed: '
            ($results | Where-Object Path -eq (Join-Path $copy 'extra.safetensors')).Status | Should -Be 'Warning'
            ($results | Select-Object -Last 1).Status | Should -Be 'Warning'
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy'").ExitCode | Should -Be 0
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy' -WarningAction Stop").ExitCode | Should -Be 1
        }

        It 'reports a tensor a shard holds but the index does not list as TensorNotIndexed' {
            $copy = New-SampleCopy
            $indexPath = Join-Path $copy 'model.safetensors.index.json'
            $index = Get-Content $indexPath -Raw | ConvertFrom-Json -AsHashtable
            $index.weight_map.Remove('model.norm.weight')
            $index | ConvertTo-Json -Depth 5 | Set-Content $indexPath
            $null = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'TensorNotIndexed'
            $errors[0].TargetObject | Should -Be 'model.norm.weight'
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy'").ExitCode | Should -Be 1
        }

        It 'reports a tensor dropped from its shard as TensorNotInShard' {
            $copy = New-SampleCopy
            Remove-Tensor (Join-Path $copy $shard2) 'model.norm.weight'
            $null = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'TensorNotInShard'
            $errors[0].TargetObject | Should -Be 'model.norm.weight'
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy'").ExitCode | Should -Be 1
        }

        It 'reports an MXFP4 half dropped from its shard as TensorNotInShard and ScalesMissing' {
            $copy = New-SampleCopy
            $blocks = Get-SafetensorsHeader $copy -Name 'model.layers.1.mlp.experts.down_proj_blocks'
            $scalesShard = (Get-SafetensorsHeader $copy -Name 'model.layers.1.mlp.experts.down_proj_scales').Path
            Remove-Tensor $scalesShard 'model.layers.1.mlp.experts.down_proj_scales'
            $null = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors | Sort-Object) -join ',' | Should -Be 'ScalesMissing,TensorNotInShard'
            ($errors | Where-Object { $_.FullyQualifiedErrorId -like 'ScalesMissing,*' }).TargetObject | Should -Be $blocks.Name
        }

        It 'reports NaN and Inf values with -Deep as NonFiniteValues naming the tensor and the counts' {
            $copy = New-SampleCopy
            $tensor = Get-SafetensorsHeader $copy -Name 'model.layers.0.self_attn.q_proj.weight'
            $tensor.DType | Should -Be 'BF16'
            # BF16 little-endian: 0x7FC0 is a quiet NaN, 0xFF80 is -Inf.
            Set-Bytes $tensor.Path ($tensor.DataOffset + 6) ([byte[]](0xC0, 0x7F, 0x80, 0xFF))
            Test-SafetensorsCheckpoint $copy -Quiet | Should -BeTrue
            $null = Test-SafetensorsCheckpoint $copy -Deep -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'NonFiniteValues'
            $errors[0].TargetObject | Should -Be $tensor.Name
            "$($errors[0])" | Should -Match '1 NaN and 1 infinite'
            (Invoke-Child "Test-SafetensorsCheckpoint '$copy' -Deep").ExitCode | Should -Be 1
        }

        It 'reports MXFP4 NaN blocks (scale 255) with -Deep under the logical name' {
            $copy = New-SampleCopy
            $pair = Get-Mxfp4Tensor $copy -Name 'model.layers.0.mlp.experts.down_proj'
            Set-Bytes $pair.Scales.Path ($pair.Scales.DataOffset + 5) ([byte[]](255, 255, 255))
            $null = Test-SafetensorsCheckpoint $copy -Deep -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'NonFiniteValues'
            $errors[0].TargetObject | Should -Be 'model.layers.0.mlp.experts.down_proj'
            "$($errors[0])" | Should -Match '\b3 NaN block'
        }

        It 'reports a hash that disagrees with the manifest as HashMismatch' {
            $copy = New-SampleCopy
            $lines = foreach ($shard in $shard1, $shard2) {
                (Get-FileHash (Join-Path $sharded $shard)).Hash.ToLowerInvariant() + ' *' + $shard
            }
            Set-Content (Join-Path $copy 'SHA256SUMS') $lines
            $tensor = Get-SafetensorsHeader $copy -Name 'lm_head.weight'
            Set-Bytes $tensor.Path ($tensor.DataOffset + 1) ([byte[]](0x42))
            $parameters = @{
                Manifest = Join-Path $copy 'SHA256SUMS'
                ErrorVariable = 'errors'
                ErrorAction = 'SilentlyContinue'
            }
            $null = Test-SafetensorsCheckpoint $copy @parameters
            (Get-Ids $errors) | Should -Be 'HashMismatch'
            $errors[0].TargetObject | Should -Be $tensor.Path
        }

        It 'warns when config.json says nothing of MXFP4 while the shards hold MXFP4 pairs' {
            $copy = New-SampleCopy
            $config = Get-Content (Join-Path $copy 'config.json') -Raw | ConvertFrom-Json -AsHashtable
            $config.Remove('quantization_config')
            $config | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $copy 'config.json')
            $null = Test-SafetensorsCheckpoint $copy -WarningVariable warnings -WarningAction SilentlyContinue
            "$($warnings[0])" | Should -Match '^QuantizationConfigMismatch: '
        }

        It 'reports config.json that is not JSON as InvalidConfig' {
            $copy = New-SampleCopy
            Set-Content (Join-Path $copy 'config.json') '{"model_type": '
            $null = Test-SafetensorsCheckpoint $copy -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'InvalidConfig'
        }

        It 'never stops at the first problem: reports every defect of a checkpoint' {
            $copy = New-SampleCopy
            $stream = [System.IO.File]::Open((Join-Path $copy $shard2), 'Open', 'ReadWrite')
            try { $stream.SetLength($stream.Length + 3) } finally { $stream.Dispose() }
            $tensor = Get-SafetensorsHeader (Join-Path $copy $shard1) -Name 'model.layers.0.mlp.router.weight'
            Set-Bytes $tensor.Path $tensor.DataOffset ([byte[]](0xC0, 0x7F))
            Copy-Item (Join-Path $original 'model.safetensors') (Join-Path $copy 'stray.safetensors')
            $parameters = @{
                ErrorVariable = 'errors'
                ErrorAction = 'SilentlyContinue'
                WarningVariable = 'warnings'
                WarningAction = 'SilentlyContinue'
            }
            $results = Test-SafetensorsCheckpoint $copy -Deep @parameters
            (Get-Ids $errors | Sort-Object) -join ',' | Should -Be 'InvalidSafetensorsHeader,NonFiniteValues'
            ($results | Where-Object Path -eq (Join-Path $copy $shard2)).Problems[0].Kind | Should -Be 'TrailingBytes'
            "$($warnings[0])" | Should -Match '^ShardNotIndexed: '
            $summary = $results | Select-Object -Last 1
            $summary.ErrorCount | Should -Be 2
            $summary.WarningCount | Should -Be 1
        }

        It 'returns only $false with -Quiet, and writes no error record' {
            $copy = New-SampleCopy
            Remove-Item (Join-Path $copy $shard2)
            $result = @(Test-SafetensorsCheckpoint $copy -Quiet -ErrorVariable errors)
            $result | Should -HaveCount 1
            $result[0] | Should -BeFalse
            $errors | Should -HaveCount 0
        }

        It 'reports a path that does not exist as PathNotFound, or as $false with -Quiet' {
            $parameters = @{
                LiteralPath = Join-Path $TestDrive 'nothing-here'
                ErrorVariable = 'errors'
                ErrorAction = 'SilentlyContinue'
            }
            $null = Test-SafetensorsCheckpoint @parameters
            (Get-Ids $errors) | Should -Be 'PathNotFound'
            $quiet = @(Test-SafetensorsCheckpoint (Join-Path $TestDrive 'nothing*'), $sharded -Quiet -ErrorVariable quietErrors)
            ($quiet -join ',') | Should -Be 'False,True'
            $quietErrors | Should -HaveCount 0
        }
    }

    # The tests that start with Set-ItResult need the reader to follow a snapshot's links into blobs/ ($hfSkipReason
    # is set in BeforeAll while it does not); they run as soon as it does.
    Context 'a Hugging Face cache snapshot' {
        It 'reports a flipped byte in a blob as HashMismatch against the blob name' {
            # One linked shard on its own: read without an index, so it does not depend on how index names are resolved.
            $snapshot = New-HfSnapshot
            $link = Join-Path $snapshot $shard1
            $tensor = Get-SafetensorsHeader -LiteralPath $link -Name 'model.embed_tokens.weight'
            Set-Bytes (Get-Item $link).ResolveLinkTarget($true).FullName ($tensor.DataOffset + 100) ([byte[]](0x5A))
            $null = Test-SafetensorsCheckpoint -LiteralPath $link -Hash -ErrorVariable errors -ErrorAction SilentlyContinue
            # The shard alone also lacks the scales of a pair split across the two shards (ScalesMissing).
            $mismatch = @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'HashMismatch,*' })
            $mismatch | Should -HaveCount 1
            $mismatch[0].TargetObject | Should -Be $link
            "$($mismatch[0])" | Should -Match ([System.IO.Path]::GetFileName((Get-Item $link).LinkTarget))
            $null = Test-SafetensorsCheckpoint -LiteralPath $link -ErrorVariable unhashed -ErrorAction SilentlyContinue
            (Get-Ids $unhashed) | Should -Not -Contain 'HashMismatch'
            (Invoke-Child "Test-SafetensorsCheckpoint -LiteralPath '$link' -Hash").ExitCode | Should -Be 1
        }

        It 'reports a .incomplete blob as IncompleteDownload' {
            $snapshot = New-HfSnapshot
            $incomplete = Join-Path $snapshot '..' '..' 'blobs' ('ab' * 32 + '.incomplete')
            Set-Content $incomplete 'partial'
            $null = Test-SafetensorsCheckpoint $snapshot -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Contain 'IncompleteDownload'
            ($errors | Where-Object { $_.FullyQualifiedErrorId -like 'IncompleteDownload,*' }).TargetObject |
                Should -Be ([System.IO.Path]::GetFullPath($incomplete))
            (Invoke-Child "Test-SafetensorsCheckpoint '$snapshot'").ExitCode | Should -Be 1
        }

        It 'reports a link whose blob is missing as IncompleteDownload' {
            $snapshot = New-HfSnapshot
            Remove-Item (Get-Item (Join-Path $snapshot $shard2)).ResolveLinkTarget($true).FullName
            $null = Test-SafetensorsCheckpoint $snapshot -ErrorVariable errors -ErrorAction SilentlyContinue
            ($errors | Where-Object { $_.FullyQualifiedErrorId -like 'IncompleteDownload,*' }).TargetObject |
                Should -Be (Join-Path $snapshot $shard2)
            (Invoke-Child "Test-SafetensorsCheckpoint '$snapshot'").ExitCode | Should -Be 1
        }

        It 'passes a whole snapshot, its hashes checked against the blob names' {
            if ($hfSkipReason) { Set-ItResult -Skipped -Because $hfSkipReason }
            $snapshot = New-HfSnapshot
            $results = Test-SafetensorsCheckpoint $snapshot -Hash -Deep -ErrorVariable errors
            $errors | Should -HaveCount 0
            ($results | Select-Object -Last 1).Status | Should -Be 'Passed'
            (Invoke-Child "Test-SafetensorsCheckpoint '$snapshot' -Hash").ExitCode | Should -Be 0
        }

        It 'reports exactly HashMismatch for a flipped byte in a whole snapshot once links are followed' {
            if ($hfSkipReason) { Set-ItResult -Skipped -Because $hfSkipReason }
            $snapshot = New-HfSnapshot
            $blob = (Get-Item (Join-Path $snapshot $shard2)).ResolveLinkTarget($true).FullName
            $tensor = Get-SafetensorsHeader -LiteralPath (Join-Path $snapshot $shard2) -Name 'lm_head.weight'
            Set-Bytes $blob ($tensor.DataOffset + 7) ([byte[]](0x11))
            $null = Test-SafetensorsCheckpoint $snapshot -Hash -ErrorVariable errors -ErrorAction SilentlyContinue
            (Get-Ids $errors) | Should -Be 'HashMismatch'
            $errors[0].TargetObject | Should -Be (Join-Path $snapshot $shard2)
            (Invoke-Child "Test-SafetensorsCheckpoint '$snapshot' -Hash").ExitCode | Should -Be 1
        }

        It 'reports exactly IncompleteDownload for a .incomplete blob once links are followed' {
            if ($hfSkipReason) { Set-ItResult -Skipped -Because $hfSkipReason }
            $snapshot = New-HfSnapshot
            Set-Content (Join-Path $snapshot '..' '..' 'blobs' ('cd' * 32 + '.incomplete')) 'partial'
            $null = Test-SafetensorsCheckpoint $snapshot -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings
            (Get-Ids $errors) | Should -Be 'IncompleteDownload'
            $warnings | Should -HaveCount 0
        }
    }
}
