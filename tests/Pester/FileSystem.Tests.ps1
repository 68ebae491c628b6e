# Where the module meets the file system (issue 13, rules 1-4): the Hugging Face cache layout in every cmdlet, guards
# that compare files rather than path strings, special files, and output names planned before anything is written.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # What `hf download` leaves: hub/models--org--name/snapshots/<rev>/<file> -> ../../blobs/<sha256>.
    function New-HuggingFaceCache([string] $Root, [string] $Sample) {
        $repository = Join-Path $Root 'hub' "models--openai--$(Split-Path $Sample -Leaf)"
        $blobs = New-Item -ItemType Directory (Join-Path $repository 'blobs')
        $snapshot = New-Item -ItemType Directory (Join-Path $repository 'snapshots' '0123456789abcdef')
        foreach ($file in Get-ChildItem $Sample -File) {
            $hash = (Get-FileHash $file.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
            Copy-Item $file.FullName (Join-Path $blobs $hash)
            & ln -s "../../blobs/$hash" (Join-Path $snapshot $file.Name)
        }
        $snapshot.FullName
    }

    function Get-TreeHash([string] $Directory) {
        (Get-ChildItem $Directory -File -Recurse | Sort-Object FullName | ForEach-Object {
            "$($_.FullName.Substring($Directory.Length)) $((Get-FileHash $_.FullName).Hash)"
        }) -join "`n"
    }

    function Get-FileKind([string] $Path) { (& stat -c '%F' $Path) }

    $down = 'model.layers.0.mlp.experts.down_proj'
    $x = [float[]]::new(64)
    for ($i = 0; $i -lt 64; $i++) { $x[$i] = [float]([math]::Cos($i) / 3) }
}

Describe 'The Hugging Face cache layout works in every cmdlet' {
    BeforeAll {
        $cache = New-HuggingFaceCache (Join-Path $TestDrive 'cache') $sharded
        $singleCache = New-HuggingFaceCache (Join-Path $TestDrive 'cache-single') $original
    }

    It 'Get-SafetensorsHeader lists the snapshot, its index and a linked shard as the plain checkpoint' {
        (Get-SafetensorsHeader $cache).Name -join ',' | Should -Be ((Get-SafetensorsHeader $sharded).Name -join ',')
        (Get-SafetensorsHeader (Join-Path $cache 'model.safetensors.index.json')).Count | Should -Be (Get-SafetensorsHeader $sharded).Count
        (Get-SafetensorsHeader (Join-Path $singleCache 'model.safetensors')).Name -join ',' |
            Should -Be ((Get-SafetensorsHeader (Join-Path $original 'model.safetensors')).Name -join ',')
    }

    It 'Get-Mxfp4Tensor pairs the snapshot tensors' {
        (Get-Mxfp4Tensor $cache).Name -join ',' | Should -Be ((Get-Mxfp4Tensor $sharded).Name -join ',')
    }

    It 'ConvertFrom-Mxfp4 -OutFile writes the same bytes from the cache' {
        Get-Mxfp4Tensor $cache -Name $down | ConvertFrom-Mxfp4 -OutFile (Join-Path $TestDrive 'cache.bin')
        Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile (Join-Path $TestDrive 'plain.bin')
        (Get-FileHash (Join-Path $TestDrive 'cache.bin')).Hash | Should -Be (Get-FileHash (Join-Path $TestDrive 'plain.bin')).Hash
    }

    It 'ConvertFrom-Mxfp4 -AsStream reads the same bytes from the cache' {
        $fromCache = Get-Mxfp4Tensor $cache -Name $down | ConvertFrom-Mxfp4 -AsStream
        $fromPlain = Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -AsStream
        try {
            $a = [System.IO.MemoryStream]::new(); $fromCache.CopyTo($a)
            $b = [System.IO.MemoryStream]::new(); $fromPlain.CopyTo($b)
            $a.Length | Should -Be (4 * 4 * 64 * 64)
            [System.Linq.Enumerable]::SequenceEqual($a.ToArray(), $b.ToArray()) | Should -BeTrue
        }
        finally { $fromCache.Dispose(); $fromPlain.Dispose() }
    }

    It 'ConvertFrom-Mxfp4 -Destination converts a sharded and a single-file snapshot like the plain checkpoints' {
        ConvertFrom-Mxfp4 $cache -Destination (Join-Path $TestDrive 'out-cache')
        ConvertFrom-Mxfp4 $sharded -Destination (Join-Path $TestDrive 'out-plain')
        Get-TreeHash (Join-Path $TestDrive 'out-cache') | Should -Be (Get-TreeHash (Join-Path $TestDrive 'out-plain'))

        ConvertFrom-Mxfp4 (Join-Path $singleCache 'model.safetensors') -Destination (Join-Path $TestDrive 'out-single-cache') `
            -ErrorVariable err
        $err | Should -BeNullOrEmpty
        ConvertFrom-Mxfp4 (Join-Path $original 'model.safetensors') -Destination (Join-Path $TestDrive 'out-single-plain')
        Get-TreeHash (Join-Path $TestDrive 'out-single-cache') | Should -Be (Get-TreeHash (Join-Path $TestDrive 'out-single-plain'))
    }

    It 'Invoke-Mxfp4MatVec -WithBias gives the plain checkpoint''s product' {
        $fromCache = Invoke-Mxfp4MatVec $cache -Name $down -Expert 2 -Vector $x -WithBias
        $fromPlain = Invoke-Mxfp4MatVec $sharded -Name $down -Expert 2 -Vector $x -WithBias
        $fromCache.Values.Count | Should -Be 64
        $fromCache.Values -join ',' | Should -Be ($fromPlain.Values -join ',')
    }
}

Describe 'Guards compare files, not path strings' {
    BeforeEach {
        $source = Join-Path $TestDrive "source-$([guid]::NewGuid().ToString('N'))"
        Copy-Item $sharded $source -Recurse
        $link = "$source-link"
        & ln -s $source $link
        $before = Get-TreeHash $source
    }

    It '-Destination reaching the source through a linked directory is DestinationIsSource, also with -Force' -ForEach @(
        @{ Child = '' }, @{ Child = 'converted' }
    ) {
        ConvertFrom-Mxfp4 $source -Destination (Join-Path $link $Child) -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'DestinationIsSource,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        Get-TreeHash $source | Should -Be $before
    }

    It '-OutFile linkdir/shard -Force is OutputIsInput and the shard is untouched' {
        $target = Join-Path $link 'model-00001-of-00002.safetensors'
        { Get-SafetensorsHeader $source -Name 'model.embed_tokens.weight' | ConvertFrom-Mxfp4 -OutFile $target -Force } |
            Should -Throw -ErrorId 'OutputIsInput,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        Get-TreeHash $source | Should -Be $before
        (Get-ChildItem $source -Force).Count | Should -Be 4
    }
}

Describe 'Special files' {
    It 'a FIFO as a shard is UnsupportedFileType at once' -Skip:(-not $IsLinux) {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'fifo-shard')
        & mkfifo (Join-Path $dir 'model.safetensors')
        Get-SafetensorsHeader $dir -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'UnsupportedFileType,Mxfp4.PowerShell.Commands.GetSafetensorsHeaderCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'a FIFO beside the shards stops -Destination before anything is written' -Skip:(-not $IsLinux) {
        $source = Join-Path $TestDrive 'fifo-source'
        Copy-Item $sharded $source -Recurse
        & mkfifo (Join-Path $source 'tokenizer.json')
        ConvertFrom-Mxfp4 $source -Destination (Join-Path $TestDrive 'fifo-out') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'UnsupportedFileType,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        Join-Path $TestDrive 'fifo-out' | Should -Not -Exist
    }

    It 'tab completion of -Name on a FIFO returns nothing instead of hanging' -Skip:(-not $IsLinux) {
        $fifo = Join-Path $TestDrive 'completion.safetensors'
        & mkfifo $fifo
        # In a runspace of its own, so a hang shows as a timeout instead of stopping the run.
        $shell = [powershell]::Create()
        $null = $shell.AddScript({
            param($Module, $Fifo)
            Import-Module $Module
            $line = "Get-Mxfp4Tensor -Path '$Fifo' -Name mod"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count
        }).AddArgument((Join-Path $repo 'output' 'Mxfp4')).AddArgument($fifo)
        $pending = $shell.BeginInvoke()
        $pending.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue
        $shell.EndInvoke($pending) | Should -Be 0
        $shell.Dispose()
    }

    # mknod needs root (CI runs as root); elsewhere the device test is skipped.
    It '-OutFile onto a private null device writes into it without -Force and leaves it a device' -Skip:(-not ($IsLinux -and
        (& id -u) -eq '0')) {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'tmp-null')
        $device = Join-Path $dir 'null'
        & mknod $device c 1 3
        Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile $device -ErrorVariable err
        $err | Should -BeNullOrEmpty
        Get-FileKind $device | Should -Be 'character special file'
        (Get-ChildItem $dir -Force).Name | Should -Be 'null'
    }

    It '-OutFile onto a symbolic link replaces the file it leads to and keeps the link' -Skip:(-not $IsLinux) {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'tmp-link')
        $real = Join-Path $dir 'real.bin'
        Set-Content $real 'old' -NoNewline
        $link = Join-Path $dir 'link.bin'
        & ln -s $real $link
        Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile $link -Force
        Get-FileKind $link | Should -Be 'symbolic link'
        Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile (Join-Path $TestDrive 'expected-link.bin')
        (Get-FileHash $real).Hash | Should -Be (Get-FileHash (Join-Path $TestDrive 'expected-link.bin')).Hash
        (Get-ChildItem $dir -Force).Name -join ',' | Should -Be 'link.bin,real.bin'
    }

    It '-OutFile onto a named pipe writes the bytes to its reader and leaves it a pipe' -Skip:(-not $IsLinux) {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'tmp-fifo')
        $fifo = Join-Path $dir 'pipe'
        & mkfifo $fifo
        $received = Join-Path $TestDrive 'received.bin'
        # The shell redirects, not Start-Process: -RedirectStandardOutput re-encodes bytes as text.
        $start = [System.Diagnostics.ProcessStartInfo]::new('sh')
        $start.ArgumentList.Add('-c'); $start.ArgumentList.Add('cat "$1" > "$2"'); $start.ArgumentList.Add('sh')
        $start.ArgumentList.Add($fifo); $start.ArgumentList.Add($received)
        $reader = [System.Diagnostics.Process]::Start($start)
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            # Until cat has opened its end, opening the pipe fails at once (OutputWriteFailed) rather than waiting.
            do {
                Start-Sleep -Milliseconds 100
                try { Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile $fifo; $written = $true }
                catch { $_.FullyQualifiedErrorId |
                    Should -Be 'OutputWriteFailed,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'; $written = $false }
            } until ($written -or [datetime]::UtcNow -gt $deadline)
            $written | Should -BeTrue
            $reader.WaitForExit(30000) | Should -BeTrue
            Get-Mxfp4Tensor $sharded -Name $down | ConvertFrom-Mxfp4 -OutFile (Join-Path $TestDrive 'expected.bin')
            (Get-FileHash $received).Hash | Should -Be (Get-FileHash (Join-Path $TestDrive 'expected.bin')).Hash
            Get-FileKind $fifo | Should -Be 'fifo'
            (Get-ChildItem $dir -Force).Name | Should -Be 'pipe'
        }
        finally {
            # A reader left waiting on a pipe that was never written would outlive the run.
            if (-not $reader.HasExited) { $reader.Kill($true) }
        }
    }
}

Describe 'Output names are planned before anything is written' {
    It 'two index shards named model.safetensors in different directories are OutputNameCollision, nothing written' {
        $source = Join-Path $TestDrive 'collide'
        Copy-Item $sharded $source -Recurse
        New-Item -ItemType Directory (Join-Path $source 'a'), (Join-Path $source 'b') | Out-Null
        Move-Item (Join-Path $source 'model-00001-of-00002.safetensors') (Join-Path $source 'a' 'model.safetensors')
        Move-Item (Join-Path $source 'model-00002-of-00002.safetensors') (Join-Path $source 'b' 'model.safetensors')
        $index = Join-Path $source 'model.safetensors.index.json'
        (Get-Content $index -Raw) -replace 'model-00001-of-00002', 'a/model' -replace 'model-00002-of-00002', 'b/model' |
            Set-Content $index -NoNewline
        ConvertFrom-Mxfp4 $source -Destination (Join-Path $TestDrive 'collide-out') -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'OutputNameCollision,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Join-Path $TestDrive 'collide-out' | Should -Not -Exist
    }

    It 'an upper-case MODEL.SAFETENSORS is converted once, not also copied over the conversion' {
        $source = New-Item -ItemType Directory (Join-Path $TestDrive 'upper')
        Copy-Item (Join-Path $original 'model.safetensors') (Join-Path $source 'MODEL.SAFETENSORS')
        $written = ConvertFrom-Mxfp4 $source -Destination (Join-Path $TestDrive 'upper-out') -PassThru
        $written.Name | Should -Be 'MODEL.SAFETENSORS'
        (Get-Mxfp4Tensor (Join-Path $TestDrive 'upper-out')) | Should -BeNullOrEmpty
        (Get-SafetensorsHeader (Join-Path $TestDrive 'upper-out')).DType | Select-Object -Unique | Should -Not -Contain 'U8'
    }
}
