package org.rwb.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The chain of Lucene's EnglishAnalyzer (what the `english` analyzer of ES's analysis-common
 * module runs): standard tokenizer, possessive 's removed, lowercase, English stop words, then a
 * stemmer. Porter is what `english` uses; KStem (`light_english` in ES) conflates fewer forms.
 */
final class EnglishChain extends Analyzer {
    enum Stemmer { PORTER, KSTEM }

    private final Stemmer stemmer;

    EnglishChain(Stemmer stemmer) {
        this.stemmer = stemmer;
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        StandardTokenizer source = new StandardTokenizer();
        TokenStream result = new EnglishPossessiveFilter(source);
        result = new LowerCaseFilter(result);
        result = new StopFilter(result, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
        result = stemmer == Stemmer.PORTER ? new PorterStemFilter(result) : new KStemFilter(result);
        return new TokenStreamComponents(source, result);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
        return new LowerCaseFilter(in);
    }
}
