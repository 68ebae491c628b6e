# Runner self-test: every supported Should operator, with and without -Not.
Describe 'Should' {
    It '-Be compares with conversion to the expected type and case-insensitively' {
        1 | Should -Be 1
        '1' | Should -Be 1
        'ABC' | Should -Be 'abc'
        2 | Should -Not -Be 3
        $null | Should -Be $null
    }

    It '-Be compares collections element by element' {
        @(1, 2, 3) | Should -Be @(1, 2, 3)
        @(1, 2) | Should -Not -Be @(1, 2, 3)
        , @(1, 2) | Should -Be @(1, 2)
    }

    It '-BeExactly is case-sensitive' {
        'abc' | Should -BeExactly 'abc'
        'ABC' | Should -Not -BeExactly 'abc'
    }

    It '-BeNullOrEmpty accepts $null, empty strings and empty collections' {
        $null | Should -BeNullOrEmpty
        '' | Should -BeNullOrEmpty
        @() | Should -BeNullOrEmpty
        , @() | Should -BeNullOrEmpty
        @{} | Should -BeNullOrEmpty
        'x' | Should -Not -BeNullOrEmpty
        @(1) | Should -Not -BeNullOrEmpty
    }

    It '-BeTrue and -BeFalse use PowerShell truthiness' {
        $true | Should -BeTrue
        1 | Should -BeTrue
        $false | Should -BeFalse
        '' | Should -BeFalse
        $false | Should -Not -BeTrue
        $true | Should -Not -BeFalse
    }

    It 'comparison operators' {
        5 | Should -BeGreaterThan 4
        5 | Should -Not -BeGreaterThan 5
        4 | Should -BeLessThan 5
        5 | Should -Not -BeLessThan 5
        5 | Should -BeGreaterOrEqual 5
        4 | Should -Not -BeGreaterOrEqual 5
        5 | Should -BeLessOrEqual 5
        6 | Should -Not -BeLessOrEqual 5
    }

    It 'wildcard and regex operators' {
        'Hello' | Should -BeLike 'h*'
        'Hello' | Should -Not -BeLike 'x*'
        'Hello' | Should -BeLikeExactly 'H*'
        'Hello' | Should -Not -BeLikeExactly 'h*'
        'Hello' | Should -Match '^h.l'
        'Hello' | Should -Not -Match '^x'
        'Hello' | Should -MatchExactly '^H'
        'Hello' | Should -Not -MatchExactly '^h'
    }

    It 'collection membership' {
        @(1, 2, 3) | Should -Contain 2
        @(1, 2, 3) | Should -Not -Contain 4
        2 | Should -BeIn @(1, 2, 3)
        4 | Should -Not -BeIn @(1, 2, 3)
    }

    It '-HaveCount counts pipeline items' {
        @(1, 2, 3) | Should -HaveCount 3
        @() | Should -HaveCount 0
        , @(1, 2) | Should -HaveCount 2
        'one' | Should -HaveCount 1
        @(1, 2) | Should -Not -HaveCount 3
    }

    It '-BeOfType accepts subtypes and type names' {
        1 | Should -BeOfType [int]
        1 | Should -BeOfType 'System.ValueType'
        'x' | Should -Not -BeOfType [int]
        [System.IO.FileNotFoundException]::new() | Should -BeOfType [System.IO.IOException]
    }

    It '-Exist tests paths' {
        $PSScriptRoot | Should -Exist
        [System.IO.Path]::Combine($PSScriptRoot, 'no-such-file') | Should -Not -Exist
    }

    It '-Throw with message wildcard, error id, exception type and -PassThru' {
        { throw 'boom here' } | Should -Throw
        { throw 'boom here' } | Should -Throw 'boom*'
        { throw 'boom here' } | Should -Throw -ExpectedMessage '*here'
        { throw [System.IO.FileNotFoundException]::new('gone') } | Should -Throw -ExceptionType ([System.IO.IOException])
        { Import-Module no-such-module-anywhere -ErrorAction Stop } | Should -Throw -ErrorId 'Modules_ModuleNotFound,*'
        $record = { throw 'kept' } | Should -Throw -PassThru
        $record | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $record.Exception.Message | Should -Be 'kept'
        { 1 + 1 } | Should -Not -Throw
    }

    It '-Throw runs the script block in the scope of the test' {
        $visible = 'yes'
        { if ($visible -ne 'yes') { throw 'not visible' } } | Should -Not -Throw
    }

    It '-Because is accepted' {
        1 | Should -Be 1 -Because 'one is one'
    }
}
