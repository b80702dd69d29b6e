// A domain signature made by Bouncy Castle (bcpkix), for tests/interop_bc.rs: signs the MIME
// entity in CONTENT with the agent's key and certificate as an encapsulated SignedData
// (RFC 5652 §5), whose one SignerInfo carries, beside the attributes Bouncy Castle adds
// itself (contentType, messageDigest, signingTime, cmsAlgorithmProtect), the signatureType
// attribute of draft-melnikov-smime-msa-to-mda-04 §3.2 (RFC 3183):
//
//   id-aa-signatureType OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 28 }
//   SignatureType ::= SEQUENCE OF OBJECT IDENTIFIER
//
// with the types given (e.g. id-sti-domainSig 1.2.840.113549.1.9.16.9.2).
//
// Usage: java -cp bcprov.jar:bcpkix.jar:bcutil.jar:DIR DomainSign KEY.pem CERT.pem CONTENT OUT.der OID...
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public class DomainSign {
    static final String SIGNATURE_TYPE = "1.2.840.113549.1.9.16.2.28";

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: DomainSign KEY.pem CERT.pem CONTENT OUT.der OID...");
            System.exit(2);
        }
        String pem = Files.readString(Path.of(args[0]));
        byte[] der = Base64.getMimeDecoder().decode(pem
                .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
                .trim());
        X509Certificate cert;
        try (FileInputStream in = new FileInputStream(args[1])) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
        String keyAlg = cert.getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(keyAlg)
                .generatePrivate(new PKCS8EncodedKeySpec(der));
        String sigAlg = keyAlg.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";

        ASN1EncodableVector types = new ASN1EncodableVector();
        for (int i = 4; i < args.length; i++) {
            types.add(new ASN1ObjectIdentifier(args[i]));
        }
        ASN1EncodableVector attrs = new ASN1EncodableVector();
        attrs.add(new Attribute(new ASN1ObjectIdentifier(SIGNATURE_TYPE),
                new DERSet(new DERSequence(types))));

        ContentSigner signer = new JcaContentSignerBuilder(sigAlg).build(key);
        SignerInfoGenerator info = new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().build())
                .setSignedAttributeGenerator(
                        new DefaultSignedAttributeTableGenerator(new AttributeTable(attrs)))
                .build(signer, cert);
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(info);
        gen.addCertificates(new JcaCertStore(List.of(cert)));
        byte[] content = Files.readAllBytes(Path.of(args[2]));
        CMSSignedData signed = gen.generate(new CMSProcessableByteArray(content), true);
        Files.write(Path.of(args[3]), signed.getEncoded("DER"));
    }
}
