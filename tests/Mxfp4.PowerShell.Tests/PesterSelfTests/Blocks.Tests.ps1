# Runner self-test: Pester 5 block semantics (scoping, setup order, discovery vs run, skips, TestDrive).
BeforeAll {
    $fileLevel = 'file'
    $scriptRootAtRun = $PSScriptRoot
}

$discoveryOnly = 'discovery'

Describe 'Scoping' -Tag 'SelfTest' {
    BeforeAll {
        $outer = 'outer'
        function Get-OuterHelper { 'helper' }
    }

    It 'sees variables and functions from BeforeAll and the file-level BeforeAll' {
        $outer | Should -Be 'outer'
        $fileLevel | Should -Be 'file'
        Get-OuterHelper | Should -Be 'helper'
    }

    It 'does not see variables set outside the blocks during discovery' {
        $discoveryOnly | Should -BeNullOrEmpty
    }

    It 'has $PSScriptRoot set to the test file folder in BeforeAll' {
        $scriptRootAtRun | Should -Not -BeNullOrEmpty
        [System.IO.Path]::Combine($scriptRootAtRun, 'Blocks.Tests.ps1') | Should -Exist
    }

    It 'sets a variable in one It' {
        $leak = 'set in an It'
        $leak | Should -Be 'set in an It'
    }

    It 'does not see variables set in an earlier It' {
        $leak | Should -BeNullOrEmpty
    }

    Context 'a child block' {
        BeforeAll { $inner = "$outer+inner" }

        It 'sees the parent BeforeAll and its own' {
            $inner | Should -Be 'outer+inner'
        }
    }

    It 'does not see variables of a child block' {
        $inner | Should -BeNullOrEmpty
    }
}

Describe 'Setup order' {
    BeforeAll { $log = [System.Collections.Generic.List[string]]::new() }
    BeforeEach { $log.Add('outer-before') }
    AfterEach { $log.Add('outer-after') }

    Context 'inner' {
        BeforeAll { $log.Add('inner-beforeall') }
        BeforeEach { $log.Add('inner-before'); $fromBeforeEach = 'each' }
        AfterEach { $log.Add('inner-after') }
        AfterAll { $log.Add('inner-afterall') }

        It 'runs BeforeEach outer first, in the scope of the It' {
            $fromBeforeEach | Should -Be 'each'
            $log -join ',' | Should -Be 'inner-beforeall,outer-before,inner-before'
        }
    }

    It 'ran AfterEach inner first and the inner AfterAll before this test' {
        ($log -join ',') | Should -Be 'inner-beforeall,outer-before,inner-before,inner-after,outer-after,inner-afterall,outer-before'
    }
}

Describe 'Skipping' {
    It 'is skipped with -Skip' -Skip {
        throw 'a skipped It must not run'
    }

    It 'is skipped by Set-ItResult' {
        Set-ItResult -Skipped -Because 'the self-test says so'
        throw 'Set-ItResult -Skipped must end the It'
    }

    Context 'a skipped block' -Skip {
        BeforeAll { throw 'the BeforeAll of a skipped block must not run' }

        It 'is skipped with its block' {
            throw 'a test in a skipped block must not run'
        }
    }
}

Describe 'TestDrive' {
    BeforeAll { $firstDrive = $TestDrive }

    It 'is an existing folder' {
        $TestDrive | Should -Exist
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($TestDrive, 'a.txt'), 'x')
    }

    It 'keeps files for the whole Describe' {
        [System.IO.Path]::Combine($TestDrive, 'a.txt') | Should -Exist
        $TestDrive | Should -Be $firstDrive
    }
}

Describe 'Another TestDrive' {
    It 'does not hold the files of another Describe' {
        [System.IO.Path]::Combine($TestDrive, 'a.txt') | Should -Not -Exist
    }
}
